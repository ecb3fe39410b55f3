"""The due cases of the closed loop's small operations (issue 19 §8), run by
liaison.sweeps (registered in InfoflowConfig.ready with infoflow.sweeps);
each row's ``notice_at`` is its cursor, so a case gets each notice once and a
sweep that was down catches up with one notice per case:

* ``follow_task`` — an open follow task (落实任务): a reminder to its owner on
  the working day before the deadline, at the deadline a late notice to the
  owner and who gave it; then nothing more.
* ``study_confirmation`` — a unit that has not confirmed study and
  implementation (学习/落实): a reminder to its head and officers the working
  day before, at the deadline a late notice to them and who asked.
A task or confirmation on a cancelled item is never chased.
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from liaison.sweeps import NEVER, Sweep
from liaison.workdays import is_workday

from . import notices, people
from .loop_models import FollowTask, StudyConfirmation
from .models import Item
from .notices import texts


def day_before(due_at: dt.datetime) -> dt.datetime:
    """The same clock time on the working day before ``due_at``'s day."""
    local = timezone.localtime(due_at)
    day = local.date() - dt.timedelta(days=1)
    for _ in range(366):
        if is_workday(day):
            break
        day -= dt.timedelta(days=1)
    return local.replace(year=day.year, month=day.month, day=day.day)


def next_notice(case, now, started_at, remind, overdue) -> dt.datetime:
    """The cursor after looking at ``case`` at ``now``: a reminder once the
    working day before (unless the case began after that moment, or the
    deadline already passed), the late notice once at the deadline."""
    if case.item.state == Item.State.CANCELLED:
        return NEVER
    due = case.due_at
    if now < due:
        before = day_before(due)
        if now < before:
            return before
        if started_at < before and (case.notice_at is None or case.notice_at <= before):
            remind(case)
        return due
    if case.notice_at is None or case.notice_at <= due:
        overdue(case)
    return NEVER


def open_follow_tasks():
    return FollowTask.objects.filter(state=FollowTask.State.OPEN)


def handle_follow_tasks(tasks, now) -> None:
    with texts(), people.cached():
        for task in tasks:
            task.notice_at = next_notice(task, now, task.created_at, notices.follow_task_reminder,
                                         notices.follow_task_overdue)


def open_confirmations():
    return StudyConfirmation.objects.filter(state=StudyConfirmation.State.OPEN)


def handle_confirmations(confirmations, now) -> None:
    with texts(), people.cached():
        for confirmation in confirmations:
            confirmation.notice_at = next_notice(confirmation, now, confirmation.required_at,
                                                 notices.study_reminder, notices.study_overdue)


SWEEPS = (
    Sweep(name="follow_task", open_cases=open_follow_tasks, handle=handle_follow_tasks,
          select_related=("item", "owner"), order=35),
    Sweep(name="study_confirmation", open_cases=open_confirmations, handle=handle_confirmations,
          select_related=("item", "unit"), order=36),
)
