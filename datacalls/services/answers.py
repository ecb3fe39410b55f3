"""Answering a data call: draft, submit (through the unit head when the
call asks), upload the template, review, return, accept, remind. Each answer
is re-read under a row lock before its state is checked."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.errors import AnswerInvalid, DataCallNotAllowed, DataCallStateConflict
from officers.roles import roles_of

from .. import notices, values, workbook
from ..models import Answer, AnswerFile, Call, Occurrence
from ..selectors import answering_unit_ids
from .common import check_manager as _check_manager
from .common import history as _history


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
