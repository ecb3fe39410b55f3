"""Officer change filings (liaison.sweeps, registered in OfficersConfig.ready):
HR hears once when a filing is due within a working day, and once when it is
late. The cursor is the filing's ``notice_at``."""
import datetime as dt

from django.conf import settings
from django.utils import timezone

from liaison.sweeps import NEVER, Sweep
from liaison.workdays import add_working_days

from . import notices
from .models import ChangeFiling, WorkReport

# A filing more than a week away is looked at again a week before it is due;
# within the week, hourly until it is within a working day.
LOOK_AHEAD = dt.timedelta(days=7)
RECHECK = dt.timedelta(hours=1)


def open_filings():
    return ChangeFiling.objects.filter(filed_at__isnull=True)


def handle(filings, now) -> None:
    for f in filings:
        seen = f.notice_at
        if f.due_at <= now:
            if seen is None or seen <= f.due_at:
                notices.filing_late(f)
            f.notice_at = NEVER
        elif add_working_days(now, 1) >= f.due_at:
            if seen is None or seen < f.due_at:
                notices.filing_due(f)
            f.notice_at = f.due_at
        elif f.due_at - now > LOOK_AHEAD:
            f.notice_at = f.due_at - LOOK_AHEAD
        else:
            f.notice_at = min(now + RECHECK, f.due_at)


FILINGS = Sweep(name="officer_filing", open_cases=open_filings, handle=handle,
                select_related=("registration__unit", "registration__body"), order=50)


# --- work reports (officers.work) -------------------------------------------------
# An unfiled report: a reminder on its due day's morning (office opening), at
# the due time the report is marked late and the officer and the head are
# told; then nothing more. Filed reports leave the open cases.


def report_reminder_at(due_at):
    """The opening of office on the due day."""
    local = timezone.localtime(due_at)
    opening = settings.WORKING_HOURS[0][0]
    if isinstance(opening, str):
        opening = dt.time.fromisoformat(opening)
    return min(local.replace(hour=opening.hour, minute=opening.minute, second=0, microsecond=0), due_at)


def open_reports():
    return WorkReport.objects.filter(state=WorkReport.State.OPEN)


def _report(report, now):
    seen = report.notice_at
    if now < report.due_at:
        remind = report_reminder_at(report.due_at)
        if now < remind:
            return remind
        if seen is None or seen <= remind:
            notices.report_reminder(report)
        return report.due_at
    if seen is None or seen <= report.due_at:
        notices.report_late(report)
    if not report.is_late:
        report.is_late = True
        report._change_reason = "late"
        report.save(update_fields=["is_late"])
    return NEVER


def handle_reports(reports, now) -> None:
    for report in reports:
        report.notice_at = _report(report, now)


REPORTS = Sweep(name="officer_work_report", open_cases=open_reports, handle=handle_reports,
                select_related=("officer__user", "officer__unit", "unit__head"), order=52)
from . import meeting_sweeps  # noqa: E402,F401  registers the meeting action item and induction sweeps
