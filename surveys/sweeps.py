"""The surveys' reminders, run by liaison.sweeps (registered in
SurveysConfig.ready). Each recipient still to answer an open survey is a
case; its ``notice_at`` is the cursor:

* one working day before the deadline (on the working calendar, 调休
  included, at the deadline's clock time): one reminder (notices.
  recipient_reminder), if the recipient was asked before that moment;
* then nothing more (after the deadline the survey takes no answers).

And each open survey is a case of ``survey_close``: at its deadline it
closes itself (services.close_at_deadline) and its result readers are told.

A sweep down for an hour catches up with one reminder; a second run sends
nothing (the cursor has moved to NEVER).
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from infoflow import people
from liaison.sweeps import NEVER, Sweep
from liaison.workdays import is_workday

from . import notices, services
from .models import Recipient, Survey


def reminder_at(due_at: dt.datetime) -> dt.datetime:
    """The previous working day (调休 included) at the deadline's clock time."""
    local = timezone.localtime(due_at)
    day = local.date()
    for _ in range(366):
        day -= dt.timedelta(days=1)
        if is_workday(day):
            break
    return local.replace(year=day.year, month=day.month, day=day.day)


def next_notice(recipient: Recipient, now: dt.datetime) -> dt.datetime:
    """Write what is due for ``recipient`` at ``now``; answers the next moment."""
    due = recipient.survey.due_at
    if due is None or now >= due:
        return NEVER
    remind = reminder_at(due)
    if now < remind:
        return remind
    if (recipient.notice_at is None or recipient.notice_at <= remind) and recipient.added_at < remind:
        notices.recipient_reminder(recipient)
    return NEVER


def waiting_recipients():
    return Recipient.objects.filter(answered=False, survey__state=Survey.State.OPEN)


def handle_recipients(recipients, now) -> None:
    with people.cached():
        for recipient in recipients:
            recipient.notice_at = next_notice(recipient, now)


def open_surveys():
    return Survey.objects.filter(state=Survey.State.OPEN)


def handle_surveys(surveys, now) -> None:
    with people.cached():
        for survey in surveys:
            if survey.due_at is not None and now < survey.due_at:
                survey.notice_at = survey.due_at
                continue
            if survey.due_at is not None:
                services.close_at_deadline(survey, now)
            survey.notice_at = NEVER


SWEEPS = (
    Sweep(name="survey_recipient", open_cases=waiting_recipients, handle=handle_recipients,
          select_related=("survey", "contact__external_unit"), order=75),
    # After the reminders, so a late sweep still reminds before it closes (it sends nothing after the deadline).
    Sweep(name="survey_close", open_cases=open_surveys, handle=handle_surveys, order=76),
)
