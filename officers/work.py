"""Monthly work reports (issue 14 §3; seed 000 §5 "工作报告", seed 003
"工作总结"): each active officer files, for the period just ended, what they
did and what they plan, to the head of their unit, who reads and comments.

Periods: WORK_REPORT_PERIOD_MONTHS calendar months (default 1; 3 = quarterly),
aligned on January. A period's report opens when it ends and is due at the
close of office on the WORK_REPORT_DUE_WORKDAY-th working day after it
(default 5, on the working calendar: holidays and 调休 count as they are).
``open_reports`` creates the missing reports (daily task and on page visit);
the sweep (officers.sweeps) reminds on the due day's morning and, past the
due time, marks the report late and tells the officer and the head, once each.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.workdays import is_workday

from . import notices
from .models import Officer, WorkReport
from .roles import roles_of
from .work_errors import WorkInvalid, WorkNotAllowed, WorkStateConflict

TEXT_LIMIT = 5000  # characters per field


def period_months() -> int:
    months = int(getattr(settings, "WORK_REPORT_PERIOD_MONTHS", 1))
    return months if months in (1, 2, 3, 4, 6, 12) else 1


def due_workday() -> int:
    return max(1, int(getattr(settings, "WORK_REPORT_DUE_WORKDAY", 5)))


def period_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the period containing ``day``."""
    months = period_months()
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    last_month = first_month + months - 1
    following = dt.date(day.year + (last_month // 12), last_month % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


def last_period(day: dt.date) -> tuple[dt.date, dt.date]:
    """The period that ended most recently before ``day``."""
    start, _end = period_of(day)
    return period_of(start - dt.timedelta(days=1))


def due_at_for(period_end: dt.date) -> dt.datetime:
    """Close of office on the N-th working day after ``period_end`` (N =
    WORK_REPORT_DUE_WORKDAY), local time."""
    day, counted = period_end, 0
    while counted < due_workday():
        day += dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
    close = settings.WORKING_HOURS[-1][1]
    if isinstance(close, str):
        close = dt.time.fromisoformat(close)
    return timezone.make_aware(dt.datetime.combine(day, close))


def open_reports(now: dt.datetime | None = None) -> int:
    """Create the report of the period just ended for every active officer
    who has none (idempotent: the unique (officer, period) decides). Returns
    the number created."""
    now = now or timezone.now()
    start, end = last_period(timezone.localtime(now).date())
    due = due_at_for(end)
    have = set(WorkReport.objects.filter(period_start=start).values_list("officer_id", flat=True))
    created = 0
    for officer in Officer.objects.filter(status=Officer.Status.ACTIVE, appointed_on__lte=end).order_by("pk"):
        if officer.pk in have:
            continue
        report = WorkReport(officer=officer, unit_id=officer.unit_id, period_start=start, period_end=end,
                            due_at=due)
        report._change_reason = "open"
        try:
            with transaction.atomic():  # a savepoint: another run may have created it meanwhile
                report.save()
        except IntegrityError:
            continue
        created += 1
    return created


# --- who sees what ------------------------------------------------------------


def reports_visible_to(user):
    """The officer's own reports, those of units the user heads or supervises;
    HR and superusers see all."""
    roles = roles_of(user)
    reports = WorkReport.objects.select_related("officer__user", "unit", "commented_by")
    if roles.user_id is None:
        return reports.none()
    if roles.is_superuser or roles.is_hr:
        return reports
    return reports.filter(Q(officer__user_id=roles.user_id) | Q(unit_id__in=roles.headed_unit_ids)
                          | Q(unit_id__in=roles.supervised_unit_ids))


def can_file(user, report: WorkReport) -> bool:
    return report.state == WorkReport.State.OPEN and report.officer.user_id == user.pk


def can_comment(user, report: WorkReport) -> bool:
    return report.state != WorkReport.State.OPEN and report.unit_id in roles_of(user).headed_unit_ids


# --- writes ---------------------------------------------------------------------


def _text(value: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise WorkInvalid(_("请填写%(field)s。") % {"field": label})
    if len(value) > TEXT_LIMIT:
        raise WorkInvalid(_("%(field)s不能超过 %(limit)d 个字。") % {"field": label, "limit": TEXT_LIMIT})
    return value


@transaction.atomic
def submit_report(*, report: WorkReport, actor, work_done: str, next_plan: str) -> WorkReport:
    """The officer files the report to the head. ``work_done``/``next_plan``:
    plain text, required, at most TEXT_LIMIT characters. Late when filed after
    ``due_at``. Raises WorkNotAllowed (not the officer's own), WorkStateConflict
    (already filed), WorkInvalid (empty or too long)."""
    report = WorkReport.objects.select_for_update(of=("self",)).select_related("officer", "unit").get(pk=report.pk)
    if report.officer.user_id != actor.pk:
        raise WorkNotAllowed(_("只有本人可以填报自己的工作报告。"))
    if report.state != WorkReport.State.OPEN:
        raise WorkStateConflict(_("该工作报告已提交，不能重复提交。"))
    report.work_done = _text(work_done, _("本期工作"))
    report.next_plan = _text(next_plan, _("下期计划"))
    now = timezone.now()
    report.state = WorkReport.State.SUBMITTED
    report.submitted_at = now
    report.is_late = now > report.due_at
    report._history_user = actor
    report._change_reason = "submit"
    report.save(update_fields=["work_done", "next_plan", "state", "submitted_at", "is_late"])
    notices.report_submitted(report)
    return report


@transaction.atomic
def comment_report(*, report: WorkReport, actor, comment: str) -> WorkReport:
    """The head of the report's unit reads it and comments (again if needed;
    history keeps each comment). Raises WorkNotAllowed (not the unit's head),
    WorkStateConflict (not filed yet), WorkInvalid (empty comment)."""
    report = WorkReport.objects.select_for_update(of=("self",)).select_related("officer", "unit").get(pk=report.pk)
    if report.unit_id not in roles_of(actor).headed_unit_ids:
        raise WorkNotAllowed(_("只有本单位负责人可以批阅工作报告。"))
    if report.state == WorkReport.State.OPEN:
        raise WorkStateConflict(_("该工作报告尚未提交，不能批阅。"))
    report.head_comment = _text(comment, _("批阅意见"))
    report.state = WorkReport.State.READ
    report.commented_by = actor
    report.commented_at = timezone.now()
    report._history_user = actor
    report._change_reason = "comment"
    report.save(update_fields=["head_comment", "state", "commented_by", "commented_at"])
    notices.report_commented(report)
    return report
