"""Archive due (liaison.sweeps, registered in ArchiveConfig.ready): a
completed item not archived ARCHIVE_AFTER_WORKING_DAYS working days after
completion, plus a grace for the hourly automatic archiving, is reported to
the secretariat once. The cursor is the item's ``archive_notice_at``."""
import datetime as dt

from django.conf import settings

from infoflow.models import Item
from liaison.sweeps import NEVER, Sweep
from liaison.workdays import add_working_days

from . import notices


def completed_items():
    return Item.objects.filter(state=Item.State.COMPLETED, completed_at__isnull=False)


def handle(items, now) -> None:
    grace = dt.timedelta(minutes=settings.ARCHIVE_NOTICE_GRACE_MINUTES)
    for item in items:
        due_at = add_working_days(item.completed_at, settings.ARCHIVE_AFTER_WORKING_DAYS)
        if due_at + grace > now:
            item.archive_notice_at = due_at + grace
            continue
        if item.archive_notice_at is None or item.archive_notice_at <= due_at + grace:
            notices.archive_due(item, due_at)
        item.archive_notice_at = NEVER


ARCHIVE_DUE = Sweep(name="archive_due", open_cases=completed_items, handle=handle, cursor="archive_notice_at",
                    select_related=("unit",), order=40)
