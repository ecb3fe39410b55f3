"""The monthly report makes itself (issue 19 §7), run by liaison.sweeps
(registered in ReportsConfig.ready). The ``AutoReport`` row of the monthly
kind is the case; its ``notice_at`` is the first working day of the next
month at 08:30 (liaison.workdays: a holiday moves it on). When it falls due
the previous month's report is generated and sent, once: the period is
unique, so a sweep that did not run for a while makes that one report and no
more, and a report the secretariat made first by hand is left as it is.
"""
from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from liaison.sweeps import Sweep
from liaison.workdays import is_workday

from . import services
from .models import AutoReport, Kind, Report

log = logging.getLogger(__name__)
SEND_TIME = dt.time(8, 30)


def month_due(year: int, month: int) -> dt.datetime:
    """The first working day of ``month`` at 08:30 local time."""
    day = dt.date(year, month, 1)
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, SEND_TIME))


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def next_moment(row: AutoReport, now: dt.datetime) -> dt.datetime:
    """Make the previous month's report if this month's moment has come; answer the next moment."""
    local = timezone.localtime(now)
    this = month_due(local.year, local.month)
    if now < this:
        return this
    period = services.previous_month(now)
    if not Report.objects.filter(kind=row.kind, period=period.label).exists():
        try:
            services.generate_report(kind=row.kind, period_label=period.label, actor=None, now=now)
        except services.ReportExists:
            pass  # made meanwhile (by hand, or by another sweep): one per period
    return month_due(*_next_month(local.year, local.month))


def due_auto_reports():
    return AutoReport.objects.filter(enabled=True, kind=Kind.MONTHLY)


def handle_auto_reports(rows, now) -> None:
    for row in rows:
        row.notice_at = next_moment(row, now)


SWEEPS = (
    Sweep(name="report_monthly", open_cases=due_auto_reports, handle=handle_auto_reports, order=90),
)
