"""The information flow's due cases, run by liaison.sweeps (registered in
InfoflowConfig.ready): open review steps, receivers waiting to sign or
answer, open questions.

Each case's ``notice_at`` is its cursor: the handler sends what fell due
since the cursor (comparing the old cursor with each deadline, so nothing is
said twice) and moves the cursor to the next deadline, or to NEVER.

Review steps: a reminder once settings.REMINDER_SHARE of the step's time has
passed (working time for working-time limits, clock time otherwise — the
step's own stored unit), an overdue notice at the due time, then while it
stays overdue an escalation up the ladder (infoflow.ladder) once per working
day: escalation k is due k working days after the due time and its key
carries that day's date, so a sweep that missed several days sends only the
latest one.
"""
from __future__ import annotations

import datetime as dt
import functools
from contextlib import contextmanager
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from liaison.sweeps import NEVER, Sweep, among
from liaison.workdays import add_working_days, add_working_time, working_day_length, working_time_between

from . import notices, people
from .ladder import Ladder
from .models import Item, Question, Receiver, ReviewStep, StepAssignee

ANSWERING_KINDS = (Receiver.Kind.UNIT, Receiver.Kind.USER, Receiver.Kind.EXTERNAL)


@contextmanager
def _memo():
    """Steps of a batch mostly share their times: compute each rule once."""
    for func in (reminder_at, overdue_days, escalation_at):
        func.cache_clear()
    try:
        yield
    finally:
        for func in (reminder_at, overdue_days, escalation_at):
            func.cache_clear()  # the calendar may change before the next batch


@functools.lru_cache(maxsize=4096)
def reminder_at(started_at: dt.datetime, due_at: dt.datetime, unit: str) -> dt.datetime:
    """When the reminder of a step is due: settings.REMINDER_SHARE of its
    time, counted in the unit of the step's own limit."""
    share = settings.REMINDER_SHARE
    if due_at <= started_at:
        return due_at
    if unit.startswith("working"):
        return min(add_working_time(started_at, working_time_between(started_at, due_at) * share), due_at)
    return started_at + (due_at - started_at) * share


@functools.lru_cache(maxsize=4096)
def overdue_days(due_at: dt.datetime, now: dt.datetime) -> int:
    """Whole working days since the due time (0 on the day it fell due)."""
    return working_time_between(due_at, now) // working_day_length()


@functools.lru_cache(maxsize=4096)
def escalation_at(due_at: dt.datetime, k: int) -> dt.datetime:
    return add_working_days(due_at, k)


def _fell_due(case, moment, now) -> bool:
    """``moment`` has passed and the cursor had not passed it yet."""
    return moment is not None and moment <= now and (case.notice_at is None or case.notice_at <= moment)


# --- review steps ----------------------------------------------------------------


def _step(step, assignees, now, ladder) -> dt.datetime:
    """Write what fell due for one step; return its next cursor."""
    if now < step.due_at:
        remind = reminder_at(step.started_at or now, step.due_at, step.limit_unit or "working_days")
        if now < remind:
            return remind
        if step.notice_at is None or step.notice_at <= remind:
            notices.step_reminder(step, assignees)
        return step.due_at
    if _fell_due(step, step.due_at, now):
        notices.step_overdue(step, assignees)
    k = overdue_days(step.due_at, now)
    if k >= 1:
        day = timezone.localtime(escalation_at(step.due_at, k)).date().isoformat()
        for a in assignees:
            notices.step_escalated(step, a, ladder.superiors(step, a), days=k, day=day)
    return escalation_at(step.due_at, k + 1)


def open_steps():
    return ReviewStep.objects.filter(state=ReviewStep.State.OPEN, due_at__isnull=False)


STEP_FIELDS = ("started_at", "due_at", "limit_unit", "name", "decider", "item_id", "item__number", "item__subject",
               "item__confidentiality", "item__unit_id", "item__unit__supervising_leader_id")


def _case(row) -> SimpleNamespace:
    """A step read with .values(): what the notices and the ladder read of a
    step and its item, without building model objects for a batch."""
    unit = SimpleNamespace(pk=row["item__unit_id"], supervising_leader_id=row["item__unit__supervising_leader_id"])
    item = SimpleNamespace(pk=row["item_id"], number=row["item__number"], subject=row["item__subject"],
                           confidentiality=row["item__confidentiality"], unit_id=unit.pk, unit=unit)
    return SimpleNamespace(pk=row["pk"], notice_at=row["notice_at"], started_at=row["started_at"],
                           due_at=row["due_at"], limit_unit=row["limit_unit"], name=row["name"],
                           decider=row["decider"], item=item)


def handle_steps(steps, now) -> None:
    """A batch of steps (dicts, STEP_FIELDS): the pending assignees in one
    query, their users in one more, the people and ladder cached per batch,
    the texts in the notify language set once."""
    pending: dict[int, list] = {}
    rows = list(
        StepAssignee.objects.filter(among(StepAssignee, "step_id", [s["pk"] for s in steps]),
                                    decision=StepAssignee.Decision.PENDING)
        .order_by("pk")
        .values_list("pk", "step_id", "user_id")
    )
    users = get_user_model().objects.in_bulk({user_id for _pk, _step, user_id in rows})
    for pk, step_id, user_id in rows:
        pending.setdefault(step_id, []).append(SimpleNamespace(pk=pk, user_id=user_id, user=users.get(user_id)))
    ladder = Ladder()
    with people.cached(), notices.texts(), _memo():
        people.preload(user_id for _pk, _step, user_id in rows)
        for row in steps:
            row["notice_at"] = _step(_case(row), pending.get(row["pk"], []), now, ladder)


# --- receivers ---------------------------------------------------------------------


def waiting_receivers():
    return Receiver.objects.filter(
        state__in=(Receiver.State.SENT, Receiver.State.ACKNOWLEDGED), item__state=Item.State.TRANSMITTED
    )


def handle_receivers(receivers, now) -> None:
    """Receipt overdue (still unsigned) and answer overdue (units, people,
    external units) → the initiator and who answers for the receiver."""
    with people.cached(), notices.texts():
        _handle_receivers(receivers, now)


def _handle_receivers(receivers, now) -> None:
    for r in receivers:
        upcoming = [NEVER]
        if r.state == Receiver.State.SENT and r.response_due_at:
            if _fell_due(r, r.response_due_at, now):
                notices.receipt_overdue(r)
            elif r.response_due_at > now:
                upcoming.append(r.response_due_at)
        if r.kind in ANSWERING_KINDS and r.answer_due_at:
            if _fell_due(r, r.answer_due_at, now):
                notices.answer_overdue(r)
            elif r.answer_due_at > now:
                upcoming.append(r.answer_due_at)
        r.notice_at = min(upcoming)


# --- questions ---------------------------------------------------------------------


def open_questions():
    """Open questions of items still awaiting feedback: a question on a
    completed, archived or cancelled item is not chased (raise_question
    allows questions on transmitted items only)."""
    return Question.objects.filter(state=Question.State.OPEN, item__state=Item.State.TRANSMITTED)


def handle_questions(questions, now) -> None:
    with people.cached(), notices.texts():
        _handle_questions(questions, now)


def _handle_questions(questions, now) -> None:
    for q in questions:
        if q.due_at > now:
            q.notice_at = q.due_at
            continue
        if _fell_due(q, q.due_at, now):
            notices.question_overdue(q)
        q.notice_at = NEVER


SWEEPS = (
    Sweep(name="review_step", open_cases=open_steps, handle=handle_steps, fields=STEP_FIELDS, order=10),
    Sweep(name="receiver", open_cases=waiting_receivers, handle=handle_receivers,
          select_related=("item", "item__initiator", "unit", "user", "external_unit", "contact"), order=20),
    Sweep(name="question", open_cases=open_questions, handle=handle_questions,
          select_related=("item", "responsible_unit"), order=30),
)
