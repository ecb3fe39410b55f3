"""manage.py export_log --from DATE --to DATE [--department CODE] [--user USERNAME] -o FILE.xlsx

Writes the communication log (contract: "The communication log (Excel)") of
the items submitted between the two dates (inclusive, in settings.TIME_ZONE).
Without --user it is an administrator's tool and exports every item; with
--user it exports exactly what that user would download from the portal.
"""
import datetime
import os
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from infoflow.export import log_queryset, write_log
from infoflow.filters import ItemFilterForm
from liaison import audit
from officers.models import OrgUnit


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError("Invalid date %r: expected YYYY-MM-DD." % text) from None


class Command(BaseCommand):
    help = "Write the communication log (信息交流记录表) of a period to an Excel file."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, help="first day (YYYY-MM-DD), inclusive")
        parser.add_argument("--to", dest="date_to", required=True, help="last day (YYYY-MM-DD), inclusive")
        parser.add_argument("--department", help="code of the originating unit")
        parser.add_argument("--user", help="apply this user's visibility (default: every item)")
        parser.add_argument("-o", "--output", required=True, help="the .xlsx file to write")

    def handle(self, *args, **options):
        start, end = _date(options["date_from"]), _date(options["date_to"])
        if start > end:
            raise CommandError("--from %s is after --to %s." % (start, end))
        data = QueryDict(mutable=True)
        data.update({"date_from": start.isoformat(), "date_to": end.isoformat()})
        if options["department"]:
            unit = OrgUnit.objects.filter(code=options["department"]).first()
            if unit is None:
                raise CommandError("No department with code %r." % options["department"])
            data["unit"] = str(unit.pk)
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError("No user %r." % options["user"])
        form = ItemFilterForm(data)
        if not form.is_valid():
            raise CommandError("; ".join("%s: %s" % (k, " ".join(v)) for k, v in form.errors.items()))

        output = options["output"]
        directory = os.path.dirname(os.path.abspath(output))
        if not os.path.isdir(directory):
            raise CommandError("Folder %s does not exist." % directory)
        began = time.perf_counter()
        count = write_log(output, log_queryset(user, form), user=user, filters_text=form.describe())
        seconds = time.perf_counter() - began
        audit.record(
            audit.Action.EXPORT,
            user=user,
            username="" if user else "manage.py",
            detail="信息交流记录表 %s 行（export_log -o %s）；筛选：%s" % (count, output, form.describe()),
        )
        self.stdout.write("Wrote %s rows to %s in %.1f s." % (count, output, seconds))
