"""``manage.py import_holidays FILE`` (``-`` for standard input): read the
State Council's yearly holiday notice as published, replace the holidays and
调休 workdays of that year's plan with it (days it sets in the previous
December included; days the next year's notice set in this December stay),
and print what was stored. ``--amend`` reads a supplementary notice
(国务院办公厅关于延长2020年春节假期的通知) and changes only the days it
names. A text that cannot be read in full prints each sentence it could not
place, changes nothing and exits 1."""
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from liaison.calendar_data import current_days, store_notice
from liaison.errors import NoticeUnreadable
from liaison.holiday_notice import parse_amendment, parse_notice
from liaison.management.commands.holidays import day_lines, source_line
from liaison.models import CalendarDay


def read_text(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 as saved by Chinese Windows."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


class Command(BaseCommand):
    help = "导入国务院办公厅关于某年部分节假日安排的通知（文件，或 - 表示标准输入）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="通知全文的文本文件，- 表示标准输入")
        parser.add_argument(
            "--amend",
            action="store_true",
            help="补充通知（如国务院办公厅关于延长2020年春节假期的通知）：只修改其中写明的日期",
        )

    def handle(self, *args, file, amend=False, **options):
        try:
            if file == "-":
                raw = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
            else:
                with open(file, "rb") as handle:
                    raw = handle.read()
            text = read_text(raw)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(_("无法读取文件 %(file)s：%(error)s") % {"file": file, "error": exc}) from exc

        try:
            notice = parse_amendment(text, current=current_days) if amend else parse_notice(text)
        except NoticeUnreadable as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(exc.message) from None

        calendar_year = store_notice(notice=notice, text=text)
        if notice.amendment:
            days = list(CalendarDay.objects.filter(date__in=[d.date for d in notice.days]).order_by("date"))
            self.stdout.write("amended: %s (%s)" % (notice.year, notice.title))
            for line in day_lines(days):
                self.stdout.write(line)
            self.stdout.write(
                _("已按补充通知修改 %(year)s 年：放假 %(holidays)s 天，调休上班 %(workdays)s 天。")
                % {"year": notice.year, "holidays": len(notice.holidays), "workdays": len(notice.workdays)}
            )
            return
        days = list(CalendarDay.objects.filter(date__year=notice.year).order_by("date"))
        others = [
            day for day in CalendarDay.objects.filter(date__in=[d.date for d in notice.days]).order_by("date")
            if day.date.year != notice.year
        ]
        self.stdout.write(source_line(calendar_year, days))
        for line in day_lines(others + days):
            self.stdout.write(line)
        self.stdout.write(
            _("已导入 %(year)s 年：放假 %(holidays)s 天，调休上班 %(workdays)s 天。")
            % {"year": notice.year, "holidays": len(notice.holidays), "workdays": len(notice.workdays)}
        )
