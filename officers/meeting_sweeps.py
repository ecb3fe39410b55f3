"""Sweeps of meeting action items and inductions (liaison.sweeps), registered
when this module is imported (officers.sweeps imports it from
OfficersConfig.ready). Cursors: each row's ``notice_at``.

Action items: a reminder a working day before the due time, an overdue
notice at it, and an escalation to the owner's heads and the secretariat a
working day after it; then nothing more (the list shows it late).
Inductions: a reminder a week before the due day, a late notice the day
after it (settings.INDUCTION_DAYS after the appointment).
"""
import datetime as dt

from django.utils import timezone

from liaison.sweeps import NEVER, Sweep, register
from liaison.workdays import add_working_days, add_working_time, working_day_length

from . import meeting_notices as notices
from .meeting_models import ActionItem, Induction
from .models import Officer, RoleAssignment
from .selectors import role_holders

INDUCTION_REMINDER = dt.timedelta(days=7)


def _before_working_day(moment: dt.datetime) -> dt.datetime:
    """One working day before ``moment`` (the reminder of an action item):
    the moment from which one working day reaches ``moment``."""
    # Walk back in calendar days until one working day fits (a few steps).
    probe = moment - dt.timedelta(days=1)
    for _i in range(30):
        if add_working_time(probe, working_day_length()) <= moment:
            return probe
        probe -= dt.timedelta(days=1)
    return probe


def open_action_items():
    return ActionItem.objects.filter(done_at__isnull=True)


def _heads_of(owner_ids) -> dict:
    """{owner id: [heads of the units where they are an active officer]},
    for a whole batch in one query."""
    heads: dict = {}
    rows = (Officer.objects.filter(user_id__in=set(owner_ids), status=Officer.Status.ACTIVE,
                                   unit__head__isnull=False).select_related("unit__head").order_by("pk"))
    for officer in rows:
        if officer.unit.head_id != officer.user_id:
            heads.setdefault(officer.user_id, []).append(officer.unit.head)
    return heads


def handle_action_items(actions, now) -> None:
    secretariat, heads = None, None
    for a in actions:
        seen = a.notice_at
        escalate_at = add_working_days(a.due_at, 1)
        if now >= escalate_at:
            if seen is None or seen <= a.due_at:
                notices.action_overdue(a)
            if seen is None or seen <= escalate_at:
                if secretariat is None:
                    secretariat = role_holders(RoleAssignment.Role.SECRETARIAT, RoleAssignment.Role.SECRETARIAT_LEAD)
                    heads = _heads_of(x.owner_id for x in actions)
                notices.action_escalated(a, heads.get(a.owner_id, []) + secretariat)
            a.notice_at = NEVER
        elif now >= a.due_at:
            if seen is None or seen <= a.due_at:
                notices.action_overdue(a)
            a.notice_at = escalate_at
        else:
            remind = _before_working_day(a.due_at)
            if now >= remind:
                if seen is None or seen <= remind:
                    notices.action_reminder(a)
                a.notice_at = a.due_at
            else:
                a.notice_at = remind


def open_inductions():
    return Induction.objects.filter(done_on__isnull=True)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def handle_inductions(inductions, now) -> None:
    for i in inductions:
        seen = i.notice_at
        late_at = _day_start(i.due_on + dt.timedelta(days=1))
        remind_at = _day_start(i.due_on) - INDUCTION_REMINDER
        if now >= late_at:
            if seen is None or seen <= late_at:
                notices.induction_late(i)
            i.notice_at = NEVER
        elif now >= remind_at:
            if seen is None or seen <= remind_at:
                notices.induction_due(i)
            i.notice_at = late_at
        else:
            i.notice_at = remind_at


ACTION_ITEMS = register(Sweep(name="meeting_action_item", open_cases=open_action_items, handle=handle_action_items,
                              select_related=("owner", "meeting"), order=55))
INDUCTIONS = register(Sweep(name="officer_induction", open_cases=open_inductions, handle=handle_inductions,
                            select_related=("officer__user", "officer__unit__head"), order=56))
