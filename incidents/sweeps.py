"""Incidents are reminded until closed (issue 19 §6), run by liaison.sweeps
(registered in IncidentsConfig.ready). An open incident's ``notice_at`` is
its cursor:

* every ``severity.remind_days`` working days from the start of the round
  (registration or reopening): a reminder to the handler (the secretariat
  while nobody is named) — after a sweep that did not run for a while, one
  reminder for the latest step missed, never one per step;
* past the severity's time limit (``due_at``): once per round, the
  secretariat lead is told (claimed by ``escalated_at``, so a change of
  severity that moves the limit earlier still escalates once).

Closing stops them (the kind's open cases are the open incidents);
reopening starts a new round with its own keys.
"""
from __future__ import annotations

import datetime as dt

from infoflow import people
from liaison.sweeps import NEVER, Sweep
from liaison.workdays import add_working_days

from . import notices
from .models import Incident

MAX_STEPS = 2000  # an incident open for years stops counting its reminders here


def reminder_moment(incident: Incident, step: int) -> dt.datetime:
    """When reminder ``step`` (1, 2, …) of the current round falls due."""
    return add_working_days(incident.round_started_at, step * incident.severity.remind_days)


def _latest_step(incident: Incident, now: dt.datetime) -> tuple[int, dt.datetime | None, dt.datetime]:
    """(latest step due at ``now`` or 0, its moment, the next step's moment)."""
    step, moment = 0, None
    following = reminder_moment(incident, 1)
    while following <= now and step < MAX_STEPS:
        step, moment = step + 1, following
        following = reminder_moment(incident, step + 1)
    return step, moment, following


def next_notice(incident: Incident, now: dt.datetime) -> dt.datetime:
    """Write what is due for ``incident`` at ``now``; answer the next moment the sweep has something to say."""
    step, moment, following = _latest_step(incident, now)
    if step and (incident.notice_at is None or incident.notice_at <= moment):
        notices.reminder(incident, number=step)
    upcoming = [following] if step < MAX_STEPS else []
    if incident.escalated_at is None:
        if incident.due_at <= now:
            # The claim: this worker holds the row lock; the update says the round's escalation is made.
            if Incident.objects.filter(pk=incident.pk, escalated_at__isnull=True).update(escalated_at=now) == 1:
                notices.escalated(incident)
        else:
            upcoming.append(incident.due_at)
    return min(upcoming) if upcoming else NEVER


def open_incidents():
    return Incident.objects.filter(state__in=Incident.OPEN_STATES)


def handle_incidents(incidents, now) -> None:
    with people.cached():
        for incident in incidents:
            incident.notice_at = next_notice(incident, now)


SWEEPS = (
    Sweep(name="incident_open", open_cases=open_incidents, handle=handle_incidents,
          select_related=("severity",), defer=("description", "conclusion"), order=80),
)
