"""The due cases of circulation and instructions, run by liaison.sweeps
(registered in FollowupConfig.ready); each row's ``notice_at`` is its cursor:

* ``followup_unread`` — a person who has not read a circulated item: once the
  circulation's set number of working days has passed (``remind_at``), one
  reminder, then nothing more (reading it closes the case).
* ``followup_task`` — an open instruction task, followed like an answer: a
  reminder one working day before its deadline to the owner, at the deadline
  a late notice to the owner and the head of the owner's unit, a working day
  later an escalation to the leader who gave the instruction.
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from infoflow import people
from infoflow.models import Item
from infoflow.notices import texts
from liaison.sweeps import NEVER, Sweep
from liaison.workdays import add_working_days, is_workday

from . import notices
from .models import CirculationReader, InstructionTask


def _fell_due(case, moment, now) -> bool:
    """``moment`` has passed and the cursor had not passed it yet."""
    return moment <= now and (case.notice_at is None or case.notice_at <= moment)


def reminder_at(due_at: dt.datetime) -> dt.datetime:
    """The same clock time on the working day before ``due_at``'s day."""
    local = timezone.localtime(due_at)
    day = local.date() - dt.timedelta(days=1)
    for _ in range(366):
        if is_workday(day):
            break
        day -= dt.timedelta(days=1)
    return local.replace(year=day.year, month=day.month, day=day.day)


def escalation_at(due_at: dt.datetime) -> dt.datetime:
    return add_working_days(due_at, 1)


# --- unread circulations ---------------------------------------------------------------


def unread_readers():
    return CirculationReader.objects.filter(read_at__isnull=True)


def handle_unread(readers, now) -> None:
    reminded = []
    with texts(), people.cached():
        for reader in readers:
            if reader.item.state == Item.State.CANCELLED:  # nothing to read any more
                reader.notice_at = NEVER
                continue
            remind = reader.circulation.remind_at
            if now < remind:
                reader.notice_at = remind
                continue
            if reader.reminded_at is None:
                notices.reading_reminder(reader)
                reminded.append(reader.pk)
            reader.notice_at = NEVER
    if reminded:
        # Shown on the reading page; not a tracked field (the batch's rows are
        # locked by the runner, which moves their cursors in this transaction).
        CirculationReader.objects.filter(pk__in=reminded).update(reminded_at=now)


# --- instruction tasks -----------------------------------------------------------------


def open_tasks():
    return InstructionTask.objects.filter(state=InstructionTask.State.OPEN)


def _task(task, now) -> dt.datetime:
    if task.item.state == Item.State.CANCELLED:  # the item was cancelled (作废): nobody is chased for it
        return NEVER
    due = task.due_at
    if now < due:
        remind = reminder_at(due)
        if now < remind:
            return remind
        if task.created_at < remind and (task.notice_at is None or task.notice_at <= remind):
            notices.task_reminder(task)
        return due
    if _fell_due(task, due, now):
        notices.task_overdue(task)
    escalate = escalation_at(due)
    if now < escalate:
        return escalate
    if _fell_due(task, escalate, now):
        notices.task_escalated(task)
    return NEVER


def handle_tasks(tasks, now) -> None:
    with texts(), people.cached():
        for task in tasks:
            task.notice_at = _task(task, now)


SWEEPS = (
    Sweep(name="followup_unread", open_cases=unread_readers, handle=handle_unread,
          select_related=("circulation", "item"), order=70),
    Sweep(name="followup_task", open_cases=open_tasks, handle=handle_tasks,
          select_related=("item", "owner", "unit", "instruction"), order=71),
)
