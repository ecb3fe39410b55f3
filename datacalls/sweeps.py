"""The data calls' due cases, run by liaison.sweeps (registered in
DatacallsConfig.ready). Each case's ``notice_at`` is its cursor (the runner
claims a batch FOR UPDATE SKIP LOCKED and moves the cursors with the notices
in one transaction):

* ``datacall_schedule`` — a sent call: its cursor is when its next
  occurrence opens; the handler opens it (answers and notices included) and
  moves the cursor to the one after (NEVER when the schedule ends).
* ``datacall_answer`` — an answer still out: a reminder one working day
  before the due time to the unit's officers, at the due time a late notice
  to the officers and the head, a working day later an escalation to the
  supervising leader (as with item answers), then nothing more.
* ``datacall_close`` — an open occurrence: ``close_after_days`` working days
  after its due time it closes, answers still out are missed and the
  two-miss rule runs (one ReplacementFlag per case).
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from infoflow import people
from liaison.sweeps import NEVER, Sweep
from liaison.workdays import add_working_days

from . import notices, schedule, services
from .models import Answer, Call, Occurrence


def _fell_due(case, moment, now) -> bool:
    """``moment`` has passed and the cursor had not passed it yet."""
    return moment <= now and (case.notice_at is None or case.notice_at <= moment)


def reminder_at(due_at: dt.datetime) -> dt.datetime:
    """One working day before the due time (same clock time)."""
    local = timezone.localtime(due_at)
    day = schedule.shift_working_days(local.date(), -1)
    return local.replace(year=day.year, month=day.month, day=day.day)


def escalation_at(due_at: dt.datetime) -> dt.datetime:
    return add_working_days(due_at, 1)


# --- calls: open the next occurrence -------------------------------------------------


def sent_calls():
    return Call.objects.filter(state=Call.State.SENT)


def handle_calls(calls, now) -> None:
    for call in calls:
        call.notice_at = services.open_due_occurrences(call=call, now=now)
        if call.notice_at <= now:  # never leave the cursor behind (the runner refuses)
            call.notice_at = NEVER


# --- answers: remind, late, escalate --------------------------------------------------


def open_answers():
    return Answer.objects.filter(state__in=Answer.OPEN_STATES, occurrence__closed_at__isnull=True)


def _answer(answer, now) -> dt.datetime:
    due = answer.occurrence.due_at
    if now < due:
        remind = reminder_at(due)
        if now < remind:
            return remind
        if answer.occurrence.opened_at < remind and (answer.notice_at is None or answer.notice_at <= remind):
            notices.answer_reminder(answer)
        return due
    if _fell_due(answer, due, now):
        notices.answer_overdue(answer)
    escalate = escalation_at(due)
    if now < escalate:
        return escalate
    if _fell_due(answer, escalate, now):
        notices.answer_escalated(answer)
    return NEVER


def handle_answers(answers, now) -> None:
    with people.cached():
        for answer in answers:
            answer.notice_at = _answer(answer, now)


# --- occurrences: close and count misses --------------------------------------------


def open_occurrences():
    return Occurrence.objects.filter(closed_at__isnull=True)


def handle_occurrences(occurrences, now) -> None:
    for occurrence in occurrences:
        moment = services.close_at(occurrence)
        if now < moment:
            occurrence.notice_at = moment
            continue
        services.close_occurrence(occurrence=occurrence, now=now)
        occurrence.notice_at = NEVER


SWEEPS = (
    Sweep(name="datacall_schedule", open_cases=sent_calls, handle=handle_calls, order=60),
    Sweep(name="datacall_answer", open_cases=open_answers, handle=handle_answers,
          select_related=("occurrence", "occurrence__call", "unit"), defer=("values",), order=61),
    Sweep(name="datacall_close", open_cases=open_occurrences, handle=handle_occurrences,
          select_related=("call",), order=62),
)
