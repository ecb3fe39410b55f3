"""``manage.py holidays YEAR``: the year's off days and 调休 workdays, one date
a line (``2026-02-14 workday``, ``2026-02-15 holiday``), after a line saying
where they came from (contract: "Management commands"). A year with no notice
and no package data shows its statutory days, each line and the source line
marked provisional, and a warning on standard error."""
import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from liaison import workdays
from liaison.models import CalendarDay, CalendarYear


def source_line(calendar_year, days):
    """``source: notice (国务院办公厅关于…的通知)``, naming the days whose
    source differs from the year's (edited by hand after an import)."""
    line = "source: %s" % calendar_year.source
    if calendar_year.source == CalendarYear.Source.PROVISIONAL:
        line += " (全国年节及纪念日放假办法; 尚未导入放假通知)"
    if calendar_year.notice_title:
        line += " (%s)" % calendar_year.notice_title
    others = [day for day in days if day.source != calendar_year.source]
    if others:
        line += "; " + ", ".join("%s %s" % (day.date.isoformat(), day.source) for day in others)
    return line


def day_lines(days):
    """``2026-02-15 holiday``; a provisional day ends in `` provisional``."""
    return [
        "%s %s%s" % (day.date.isoformat(), day.kind, " provisional" if day.source == CalendarYear.Source.PROVISIONAL else "")
        for day in days
    ]


class Command(BaseCommand):
    help = "列出某年的放假日期和调休上班日期及其来源。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="年份，如 2026")

    def handle(self, *args, year, **options):
        if not 1900 <= year <= 2999:
            raise CommandError(_("年份 %(year)s 不合理。") % {"year": year})
        workdays.is_workday(dt.date(year, 6, 30))  # the same lazy fill the calendar does
        calendar_year = CalendarYear.objects.filter(year=year).first()
        days = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
        if calendar_year is None:
            for line in day_lines(days):
                self.stdout.write(line)
            raise CommandError(
                _("尚未录入 %(year)s 年的法定节假日安排，期限暂按周末休息计算。请用 import_holidays 导入国务院办公厅的放假通知。")
                % {"year": year}
            )
        self.stdout.write(source_line(calendar_year, days))
        for line in day_lines(days):
            self.stdout.write(line)
        if calendar_year.source == CalendarYear.Source.PROVISIONAL:
            self.stderr.write(
                _("尚未导入 %(year)s 年的放假通知：以上是《全国年节及纪念日放假办法》规定的法定节假日（暂定，不含调休）。请用 import_holidays 导入国务院办公厅的放假通知。")
                % {"year": year}
            )
