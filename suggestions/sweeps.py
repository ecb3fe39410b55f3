"""The cases' deadlines, run by liaison.sweeps (registered in
SuggestionsConfig.ready). An assigned case's ``notice_at`` is its cursor:

* one working day before the deadline: a reminder to the assigned unit's
  officers and head (only if the case was assigned before that moment);
* at the deadline: a late notice to the unit and the box's handlers;
* a working day later: an escalation to the unit's supervising leader and
  the box's handlers; then nothing more.

Reassigning a case sets a new deadline and clears the cursor, so the new
deadline is reminded, noticed and escalated again (the notices' keys carry
the deadline).
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from infoflow import people
from liaison.sweeps import NEVER, Sweep
from liaison.workdays import add_working_days, is_workday

from . import notices
from .models import Case


def _fell_due(case, moment, now) -> bool:
    """``moment`` has passed and the cursor had not passed it yet."""
    return moment <= now and (case.notice_at is None or case.notice_at <= moment)


def reminder_at(due_at: dt.datetime) -> dt.datetime:
    """The previous working day (on the calendar, 调休 included) at the deadline's clock time."""
    local = timezone.localtime(due_at)
    day = local.date()
    for _ in range(366):
        day -= dt.timedelta(days=1)
        if is_workday(day):
            break
    return local.replace(year=day.year, month=day.month, day=day.day)


def escalation_at(due_at: dt.datetime) -> dt.datetime:
    return add_working_days(due_at, 1)


def next_notice(case: Case, now: dt.datetime) -> dt.datetime:
    """Write what is due for ``case`` at ``now``; answers the next moment."""
    due = case.due_at
    if now < due:
        remind = reminder_at(due)
        if now < remind:
            return remind
        if case.assigned_at < remind and (case.notice_at is None or case.notice_at <= remind):
            notices.case_reminder(case)
        return due
    if _fell_due(case, due, now):
        notices.case_overdue(case)
    escalate = escalation_at(due)
    if now < escalate:
        return escalate
    if _fell_due(case, escalate, now):
        notices.case_escalated(case)
    return NEVER


def assigned_cases():
    return Case.objects.filter(state=Case.State.ASSIGNED)


def handle_cases(cases, now) -> None:
    with people.cached():
        for case in cases:
            case.notice_at = next_notice(case, now)


SWEEPS = (
    Sweep(name="suggestion_case", open_cases=assigned_cases, handle=handle_cases,
          select_related=("unit", "category"), defer=("text", "answer"), order=70),
)
