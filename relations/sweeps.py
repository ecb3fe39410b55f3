"""The relations' due cases, run by liaison.sweeps (registered in
RelationsConfig.ready). Each case's ``notice_at`` is its cursor; the runner
claims a batch FOR UPDATE SKIP LOCKED and moves the cursors with the notices
in one transaction, so each stage is told once per case:

* ``relations_action`` — an open follow-up action of a visit: a reminder a
  working day before its due time, an overdue notice at it, an escalation to
  the visiting unit's head and leader a working day after; then nothing more.
* ``relations_occurrence`` — an open due date of an obligation:
  ``remind_days`` working days before the due date (office opening), on the
  due date (office opening), and the next day when still not done (late, to
  the owner, its head and leader and the secretariat); then nothing more.

A sweep that was down catches up with the latest stage only (never one
notice per missed stage).
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from infoflow import people
from liaison.sweeps import NEVER, Sweep
from liaison.workdays import add_working_days, is_workday

from . import notices
from .models import FollowUpAction, Occurrence

DAY_OPENS = dt.time(9, 0)


def _at(day: dt.date, time: dt.time = dt.time.min) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


def working_days_before(day: dt.date, n: int) -> dt.date:
    """The working day ``n`` working days before ``day`` (``day`` itself for 0)."""
    while n > 0:
        day -= dt.timedelta(days=1)
        if is_workday(day):
            n -= 1
    return day


def _before_working_day(moment: dt.datetime) -> dt.datetime:
    """The moment one working day before ``moment`` (same clock time on the previous working day)."""
    local = timezone.localtime(moment)
    day = working_days_before(local.date(), 1)
    return local.replace(year=day.year, month=day.month, day=day.day)


# --- follow-up actions --------------------------------------------------------------------


def open_actions():
    return FollowUpAction.objects.filter(done_at__isnull=True)


def action_stages(action) -> list[tuple[dt.datetime, callable]]:
    """(moment, notice) of each stage, in order."""
    remind = _before_working_day(action.due_at)
    stages = []
    if action.created_at < remind:  # one due within a day was just assigned: no reminder on top
        stages.append((remind, notices.action_reminder))
    return [*stages, (action.due_at, notices.action_overdue),
            (add_working_days(action.due_at, 1), notices.action_escalated)]


def _advance(case, stages, now) -> dt.datetime:
    """Send the latest stage that has come and that the cursor had not
    passed yet; answer the next stage's moment (NEVER after the last)."""
    passed = [(moment, notice) for moment, notice in stages if moment <= now]
    if passed:
        moment, notice = passed[-1]
        if case.notice_at is None or case.notice_at <= moment:
            notice(case)
    later = [moment for moment, _notice in stages if moment > now]
    return later[0] if later else NEVER


def handle_actions(actions, now) -> None:
    with people.cached():  # the same heads and owners across a batch
        for action in actions:
            action.notice_at = _advance(action, action_stages(action), now)


# --- obligation due dates --------------------------------------------------------------------


def open_occurrences():
    return Occurrence.objects.filter(done_at__isnull=True, obligation__is_active=True)


def occurrence_stages(occurrence) -> list[tuple[dt.datetime, callable]]:
    due = occurrence.due_on
    remind = working_days_before(due, occurrence.obligation.remind_days)
    stages = []
    if remind < due:
        stages.append((_at(remind, DAY_OPENS), notices.occurrence_upcoming))
    stages.append((_at(due, DAY_OPENS), notices.occurrence_due))
    stages.append((_at(due + dt.timedelta(days=1)), notices.occurrence_late))
    return stages


def handle_occurrences(occurrences, now) -> None:
    with people.cached():
        for occurrence in occurrences:
            occurrence.notice_at = _advance(occurrence, occurrence_stages(occurrence), now)


SWEEPS = (
    Sweep(name="relations_action", open_cases=open_actions, handle=handle_actions,
          select_related=("owner", "visit__external_unit", "visit__unit"), order=70),
    Sweep(name="relations_occurrence", open_cases=open_occurrences, handle=handle_occurrences,
          select_related=("obligation__body", "obligation__owner_unit"), order=71),
)
