"""Defining, sending and stopping data calls, and opening their
occurrences (datacalls.schedule decides when). Lock, check state, check the
actor, write with history, tell the recipients (datacalls.notices)."""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from liaison.errors import AnswerInvalid, DataCallStateConflict
from liaison.sweeps import NEVER
from officers.models import OrgUnit

from .. import notices, schedule, values
from ..models import Answer, Call, Occurrence
from .common import check_manager as _check_manager
from .common import history as _history

CALL_FIELDS = (
    "title", "instructions", "attachment", "fields", "template", "template_spec", "recipients", "schedule", "months",
    "dates", "due_on", "anchor", "offset_days", "offset_unit", "due_time", "starts_on", "ends_on",
    "close_after_days", "head_review", "visibility", "two_miss",
)


def _check_definition(data: dict) -> None:
    problems = values.check_fields(data.get("fields") or [])
    if not data.get("fields") and not data.get("template_spec"):
        problems.append(_("请至少定义一个填报项，或上传 Excel 模板并指定填报位置。"))
    if data.get("schedule") == Call.Schedule.ONCE and not data.get("due_on"):
        problems.append(_("一次性任务须填写截止日期。"))
    if data.get("schedule") == Call.Schedule.DATES and not data.get("dates"):
        problems.append(_("请填写报送日期。"))
    if problems:
        raise AnswerInvalid("；".join(str(p) for p in problems), {"fields": "；".join(str(p) for p in problems)})


@transaction.atomic
def create_call(*, actor, data: dict, units=(), viewers=()) -> Call:
    """A new call in draft. ``data``: CALL_FIELDS (fields a list of FieldSpec).
    Raises DataCallNotAllowed (not the secretariat), AnswerInvalid (bad fields)."""
    _check_manager(actor)
    _check_definition(data)
    call = Call(created_by=actor, **{k: v for k, v in data.items() if k in CALL_FIELDS})
    _history(call, actor, "create")
    call.save()
    call.units.set(units)
    call.viewers.set(viewers)
    return call


@transaction.atomic
def update_call(*, call: Call, actor, data: dict, units=None, viewers=None) -> Call:
    """Edit a call; for a call already sent the change applies to the
    occurrences still to come (those open keep their due time)."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    _check_manager(actor, call)
    if call.state == Call.State.ENDED:
        raise DataCallStateConflict(_("该报送任务已停止，不能修改。"))
    merged = {k: getattr(call, k) for k in CALL_FIELDS}
    merged.update({k: v for k, v in data.items() if k in CALL_FIELDS})
    _check_definition(merged)
    for key, value in data.items():
        if key in CALL_FIELDS:
            setattr(call, key, value)
    _history(call, actor, "edit")
    call.save()
    if call.state == Call.State.SENT:
        # The schedule may have changed: the sweep finds the next opening again.
        Call.objects.filter(pk=call.pk).update(notice_at=None)
    if units is not None:
        call.units.set(units)
    if viewers is not None:
        call.viewers.set(viewers)
    return call


def recipient_units(call: Call):
    units = OrgUnit.objects.filter(is_active=True)
    if call.recipients == Call.Recipients.ALL:
        return units
    if call.recipients == Call.Recipients.MEMBERS:
        return units.filter(kind=OrgUnit.Kind.MEMBER)
    return units.filter(pk__in=call.units.values("pk"))


@transaction.atomic
def send_call(*, call: Call, actor, now: dt.datetime | None = None) -> Call:
    """Draft → sent: the first occurrence opens now (the current period unless
    its due time has passed) and its recipients are told. Raises
    DataCallStateConflict if already sent or nothing to open."""
    now = now or timezone.now()
    call = Call.objects.select_for_update().get(pk=call.pk)
    _check_manager(actor, call)
    if call.state != Call.State.DRAFT:
        raise DataCallStateConflict(_("该报送任务已下发。"))
    if not recipient_units(call).exists():
        raise DataCallStateConflict(_("请先选择接收单位。"))
    if schedule.first_period(call, now) is None:
        raise DataCallStateConflict(_("按所设频次和日期，没有尚未截止的期次，请检查日期。"))
    call.state = Call.State.SENT
    call.sent_at = now
    _history(call, actor, "send")
    call.save(update_fields=["state", "sent_at"])
    call.notice_at = open_due_occurrences(call=call, now=now, actor=actor)
    Call.objects.filter(pk=call.pk).update(notice_at=call.notice_at)
    return call


@transaction.atomic
def end_call(*, call: Call, actor) -> Call:
    """Stop a series: no more occurrences open (those open stay open)."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    _check_manager(actor, call)
    if call.state != Call.State.SENT:
        raise DataCallStateConflict(_("只有已下发的报送任务可以停止。"))
    call.state = Call.State.ENDED
    _history(call, actor, "end")
    call.save(update_fields=["state"])
    return call


def _last_period(call) -> schedule.Period | None:
    last = call.occurrences.order_by("-period_start", "-pk").first()
    if last is None:
        return None
    return schedule.Period(label=last.period, start=last.period_start, end=last.period_end, due_at=last.due_at,
                           opens_at=last.opened_at)


def open_due_occurrences(*, call: Call, now: dt.datetime, actor=None) -> dt.datetime:
    """Create the occurrence whose time has come (the latest one that opened
    by ``now``; periods missed while nobody swept are skipped, not opened
    late). Returns when the next one opens (NEVER: none). The caller holds
    the call's row lock; the unique (call, period) key is the backstop."""
    period = schedule.period_after(call, _last_period(call), now)
    latest = None
    while period is not None and period.opens_at <= now:
        latest = period
        period = schedule.period_after(call, period, now)
    if latest is not None:
        open_occurrence(call=call, period=latest, now=now, actor=actor)
    return period.opens_at if period is not None else NEVER


def open_occurrence(*, call: Call, period: schedule.Period, now: dt.datetime, actor=None) -> Occurrence | None:
    """One occurrence and one pending answer per recipient unit, with history;
    the recipients' officers are told. None when it exists already."""
    try:
        with transaction.atomic():
            occurrence = Occurrence(call=call, period=period.label, period_start=period.start,
                                    period_end=period.end, due_at=period.due_at, opened_at=now)
            _history(occurrence, actor, "open")
            occurrence.save()
    except IntegrityError:
        return None
    answers = [Answer(occurrence=occurrence, unit=unit) for unit in recipient_units(call).order_by("pk")]
    answers = bulk_create_with_history(answers, Answer, default_user=actor, default_change_reason="open")
    if not answers or answers[0].pk is None:
        answers = list(occurrence.answers.select_related("unit"))
    notices.occurrence_opened(occurrence, answers, actor=actor)
    return occurrence
