"""Every write of data calls (issue 13): define and send a call, open its
occurrences, draft, submit, review, return, accept, remind and close.

Each function is atomic and follows the house order: lock, check state,
check the actor, write with history (django-simple-history; the actor named
on ``_history_user``), call its notice in plain sight. Errors carry a
Chinese message (liaison.errors): DataCallStateConflict for a wrong state,
DataCallNotAllowed for a wrong actor, AnswerInvalid (with ``errors``: field
key or cell → message) for bad input.
"""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from liaison.errors import AnswerInvalid, DataCallNotAllowed, DataCallStateConflict
from liaison.sweeps import NEVER
from liaison.workdays import add_working_days
from officers.models import Officer, OrgUnit
from officers.roles import roles_of

from . import notices, schedule, values, workbook
from .models import Answer, AnswerFile, Call, Occurrence, ReplacementFlag
from .selectors import answering_unit_ids, manages_calls

CALL_FIELDS = (
    "title", "instructions", "attachment", "fields", "template", "template_spec", "recipients", "schedule", "months",
    "dates", "due_on", "anchor", "offset_days", "offset_unit", "due_time", "starts_on", "ends_on",
    "close_after_days", "head_review", "visibility", "two_miss",
)


def _history(obj, actor, reason: str) -> None:
    obj._history_user = actor
    obj._change_reason = reason


def _check_manager(actor, call=None) -> None:
    if not (manages_calls(actor) or (call is not None and call.created_by_id == actor.pk)):
        raise DataCallNotAllowed(_("只有秘书处可以管理报送任务。"))


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


# --- answering -------------------------------------------------------------------


def _lock_answer(answer: Answer) -> Answer:
    # Re-read under a row lock: two submits (two officers, a double click)
    # cannot both pass the state check below.
    return Answer.objects.select_for_update().select_related("occurrence__call", "unit").get(pk=answer.pk)


def _check_answering(answer: Answer, actor) -> None:
    if answer.occurrence.closed_at is not None:
        raise DataCallStateConflict(_("本期报送已结束，不能再修改。"))
    if answer.unit_id not in answering_unit_ids(actor):
        raise DataCallNotAllowed(_("只有本单位的联络员或负责人可以填报。"))
    if answer.state not in (Answer.State.PENDING, Answer.State.DRAFT, Answer.State.RETURNED):
        raise DataCallStateConflict(_("该答复已报送，不能修改；如需修改请联系秘书处退回。"))


def fields_of(call: Call) -> list:
    if call.template_spec:
        return values.template_fields(call.template_spec)
    return list(call.fields or [])


def _optional(fields: list) -> list:
    return [{**spec, "required": False, "columns": [{**c, "required": False} for c in spec.get("columns") or []]}
            for spec in fields]


def _coerce(call: Call, raw: dict, *, complete: bool) -> dict:
    fields = fields_of(call) if complete else _optional(fields_of(call))
    clean, errors = values.coerce_all(fields, raw)
    if errors:
        raise AnswerInvalid(_("填报内容有误，请按提示修改。"), errors)
    return clean


def store_file(*, answer: Answer, actor, upload) -> dict:
    """Keep an uploaded file of a ``file`` field; its value {"name", "id"}."""
    row = AnswerFile.objects.create(answer=answer, file=upload, name=upload.name[:200], uploaded_by=actor)
    return {"name": row.name, "id": row.pk}


@transaction.atomic
def save_draft(*, answer: Answer, actor, raw: dict) -> Answer:
    """Keep what was typed so far (required fields may be empty; what is
    given must be valid). Raises AnswerInvalid, DataCallNotAllowed,
    DataCallStateConflict."""
    answer = _lock_answer(answer)
    _check_answering(answer, actor)
    answer.values = _coerce(answer.occurrence.call, raw, complete=False)
    answer.state = Answer.State.DRAFT
    _history(answer, actor, "draft")
    answer.save(update_fields=["values", "state", "updated_at"])
    return answer


def _submit(answer: Answer, actor, now: dt.datetime) -> Answer:
    call = answer.occurrence.call
    if call.head_review and answer.unit_id not in roles_of(actor).headed_unit_ids:
        # The unit's route: the head reviews before it reaches the secretariat.
        answer.state = Answer.State.REVIEWING
        _history(answer, actor, "to_review")
        answer.save(update_fields=["values", "file", "state", "updated_at"])
        notices.review_requested(answer, actor=actor)
        return answer
    answer.state = Answer.State.SUBMITTED
    answer.submitted_at = now
    answer.submitted_by = actor
    # Late answers are marked, not refused (issue 13 §2).
    answer.late = now > answer.occurrence.due_at
    answer.return_reason = ""
    _history(answer, actor, "submit")
    answer.save(update_fields=["values", "file", "state", "submitted_at", "submitted_by", "late", "return_reason",
                               "updated_at"])
    return answer


@transaction.atomic
def submit_answer(*, answer: Answer, actor, raw: dict | None = None, now: dt.datetime | None = None) -> Answer:
    """Submit (or resubmit after a return) the unit's answer: every required
    field filled and valid. With head review and an officer acting, the answer
    goes to the unit head first. Late is marked by ``submitted_at`` > due."""
    now = now or timezone.now()
    answer = _lock_answer(answer)
    _check_answering(answer, actor)
    answer.values = _coerce(answer.occurrence.call, answer.values if raw is None else raw, complete=True)
    return _submit(answer, actor, now)


@transaction.atomic
def upload_template(*, answer: Answer, actor, upload, submit: bool = False,
                    now: dt.datetime | None = None) -> Answer:
    """Read a filled template against the call's TemplateSpec; per-cell
    errors (Chinese) raise AnswerInvalid and nothing is kept."""
    now = now or timezone.now()
    answer = _lock_answer(answer)
    _check_answering(answer, actor)
    spec = answer.occurrence.call.template_spec
    if not spec:
        raise DataCallStateConflict(_("该报送任务没有 Excel 模板，请在线填写。"))
    read, errors = workbook.read_template(upload, spec)
    if errors:
        raise AnswerInvalid(_("上传的模板有误，请按提示修改后重新上传。"),
                            {getattr(e, "ref", "") or str(i): str(e) for i, e in enumerate(errors, start=1)})
    upload.seek(0)
    answer.file.save(upload.name, upload, save=False)
    answer.values = read
    if submit:
        answer.values = _coerce(answer.occurrence.call, read, complete=True)
        return _submit(answer, actor, now)
    answer.state = Answer.State.DRAFT
    _history(answer, actor, "upload")
    answer.save(update_fields=["values", "file", "state", "updated_at"])
    return answer


@transaction.atomic
def review_answer(*, answer: Answer, actor, approve: bool, reason: str = "",
                  now: dt.datetime | None = None) -> Answer:
    """The unit head approves (→ submitted to the secretariat) or returns an
    answer awaiting review."""
    now = now or timezone.now()
    answer = _lock_answer(answer)
    if answer.unit_id not in roles_of(actor).headed_unit_ids:
        raise DataCallNotAllowed(_("只有本单位负责人可以审核。"))
    if answer.state != Answer.State.REVIEWING:
        raise DataCallStateConflict(_("该答复不在待审核状态。"))
    if approve:
        answer.state = Answer.State.SUBMITTED
        answer.submitted_at = now
        answer.submitted_by = actor
        answer.late = now > answer.occurrence.due_at
        _history(answer, actor, "approve")
        answer.save(update_fields=["state", "submitted_at", "submitted_by", "late", "updated_at"])
        return answer
    if not reason.strip():
        raise AnswerInvalid(_("请填写退回理由。"), {"reason": _("请填写退回理由。")})
    answer.state = Answer.State.RETURNED
    answer.return_reason = reason.strip()
    _history(answer, actor, "head_return")
    answer.save(update_fields=["state", "return_reason", "updated_at"])
    notices.returned(answer, actor=actor)
    return answer


@transaction.atomic
def return_answer(*, answer: Answer, actor, reason: str) -> Answer:
    """The secretariat returns a submitted answer with a reason; the unit
    resubmits (even after the due time, then marked late)."""
    answer = _lock_answer(answer)
    _check_manager(actor, answer.occurrence.call)
    if answer.state != Answer.State.SUBMITTED:
        raise DataCallStateConflict(_("只有已报送的答复可以退回。"))
    if answer.occurrence.closed_at is not None:
        raise DataCallStateConflict(_("本期报送已结束，不能退回。"))
    if not reason.strip():
        raise AnswerInvalid(_("请填写退回理由。"), {"reason": _("请填写退回理由。")})
    answer.state = Answer.State.RETURNED
    answer.return_reason = reason.strip()
    _history(answer, actor, "return")
    answer.save(update_fields=["state", "return_reason", "updated_at"])
    notices.returned(answer, actor=actor)
    return answer


@transaction.atomic
def accept_answer(*, answer: Answer, actor) -> Answer:
    answer = _lock_answer(answer)
    _check_manager(actor, answer.occurrence.call)
    if answer.state != Answer.State.SUBMITTED:
        raise DataCallStateConflict(_("只有已报送的答复可以确认。"))
    answer.state = Answer.State.ACCEPTED
    _history(answer, actor, "accept")
    answer.save(update_fields=["state", "updated_at"])
    return answer


@transaction.atomic
def remind_units(*, occurrence: Occurrence, actor, unit_ids=None, now: dt.datetime | None = None) -> int:
    """One-click reminder (催报) to the units still out (or those of
    ``unit_ids`` among them). Returns how many units were reminded."""
    now = now or timezone.now()
    occurrence = Occurrence.objects.select_related("call").get(pk=occurrence.pk)
    _check_manager(actor, occurrence.call)
    if occurrence.closed_at is not None:
        raise DataCallStateConflict(_("本期报送已结束。"))
    answers = occurrence.answers.filter(state__in=Answer.OPEN_STATES).select_related("unit", "occurrence__call")
    if unit_ids is not None:
        answers = answers.filter(unit_id__in=list(unit_ids))
    answers = list(answers)
    notices.reminded(answers, actor=actor, stamp=timezone.localtime(now).strftime("%Y%m%d%H%M"))
    return len(answers)


# --- closing and the two-miss rule -----------------------------------------------------


def close_at(occurrence: Occurrence) -> dt.datetime:
    """When an occurrence closes by itself: ``close_after_days`` working days
    after its due time (the week the secretariat has to merge the returns)."""
    return add_working_days(occurrence.due_at, occurrence.call.close_after_days)


@transaction.atomic
def close_occurrence(*, occurrence: Occurrence, actor=None, now: dt.datetime | None = None) -> Occurrence:
    """Close an occurrence: answers still out are marked missed (缺报), and
    each missed unit is checked against the two-miss rule. ``actor`` None:
    the sweep. Raises DataCallStateConflict if already closed."""
    now = now or timezone.now()
    occurrence = Occurrence.objects.select_for_update().select_related("call").get(pk=occurrence.pk)
    if actor is not None:
        _check_manager(actor, occurrence.call)
    if occurrence.closed_at is not None:
        raise DataCallStateConflict(_("本期报送已结束。"))
    occurrence.closed_at = now
    _history(occurrence, actor, "close")
    occurrence.save(update_fields=["closed_at"])
    missed = list(occurrence.answers.select_for_update().filter(state__in=Answer.OPEN_STATES).order_by("pk"))
    for answer in missed:
        answer.state = Answer.State.MISSED
        _history(answer, actor, "missed")
        answer.save(update_fields=["state", "updated_at"])
    for answer in missed:
        check_two_misses(answer=answer, now=now)
    return occurrence


def _previous_answer(answer: Answer) -> Answer | None:
    occurrence = answer.occurrence
    earlier = Answer.objects.filter(unit_id=answer.unit_id, occurrence__closed_at__isnull=False).exclude(
        occurrence_id=occurrence.pk)
    if occurrence.call.two_miss == Call.TwoMiss.SERIES:
        earlier = earlier.filter(occurrence__call_id=occurrence.call_id,
                                 occurrence__period_start__lt=occurrence.period_start)
        return earlier.order_by("-occurrence__period_start").first()
    earlier = earlier.filter(occurrence__due_at__lt=occurrence.due_at)
    return earlier.order_by("-occurrence__due_at", "-pk").first()


def check_two_misses(*, answer: Answer, now: dt.datetime) -> ReplacementFlag | None:
    """Seed 003: two consecutive missed calls propose replacing the officer.
    A case is a run of consecutive misses, named by its first one: the second
    miss raises the flag, a third joins it (one flag per case, never one per
    sweep; the unique (unit, first occurrence) key is the backstop)."""
    previous = _previous_answer(answer)
    if previous is None or previous.state != Answer.State.MISSED:
        return None
    flag = ReplacementFlag.objects.filter(unit_id=answer.unit_id, occurrences=previous.occurrence_id).first()
    if flag is not None:
        flag.occurrences.add(answer.occurrence_id)
        return flag
    officer = (Officer.objects.filter(unit_id=answer.unit_id, status=Officer.Status.ACTIVE)
               .order_by("-is_primary", "pk").first())
    flag, created = ReplacementFlag.objects.get_or_create(
        unit_id=answer.unit_id, first_occurrence_id=previous.occurrence_id,
        defaults={"call_id": answer.occurrence.call_id, "officer": officer, "raised_at": now},
    )
    flag.occurrences.add(previous.occurrence_id, answer.occurrence_id)
    if created:
        notices.flag_raised(flag)
    return flag
