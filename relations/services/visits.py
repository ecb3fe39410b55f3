"""Visits to external units and their follow-up actions (issue 19 §3; seed
001 信息沟通管理制度 1 《客户回访征询表》: 登门、电话或信函等方式对客户进行回访,
制度 4 第16条 走访: 定期走访(客户回访、例行检查)与不定期走访(投诉调解、关系协调))."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.workdays import add_working_time, is_workday, working_day_length
from officers.models import ExternalContact, ExternalUnit, OrgUnit

from .. import notices
from ..errors import AlreadyDone, InvalidInput, NotAllowed
from ..models import FollowUpAction, Visit
from ..permissions import can_complete_action, can_edit_visit, can_record_visit, visit_units_for


def end_of_working_day(day: dt.date) -> dt.datetime:
    """The close of office hours on ``day`` (a working day), as an aware datetime."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())
    return add_working_time(start, working_day_length())


def _check_visit(*, actor, external_unit: ExternalUnit, contact: ExternalContact | None, unit: OrgUnit,
                 visitors, visited_on: dt.date, purpose: str) -> None:
    if not visit_units_for(actor).filter(pk=unit.pk).exists():
        raise NotAllowed
    if contact is not None and contact.external_unit_id != external_unit.pk:
        raise InvalidInput(_("所选联系人不属于%(unit)s。") % {"unit": external_unit.name})
    if visited_on > timezone.localdate():
        raise InvalidInput(_("走访日期不能晚于今天；计划中的走访请在走访后登记。"))
    if not visitors:
        raise InvalidInput(_("请至少选择一名走访人员。"))
    if not (purpose or "").strip():
        raise InvalidInput(_("请填写走访目的。"))


@transaction.atomic
def record_visit(*, actor, external_unit: ExternalUnit, contact: ExternalContact | None, unit: OrgUnit,
                 visitors: list, visited_on: dt.date, kind: str, method: str, purpose: str,
                 findings: str = "") -> Visit:
    """Record a visit of ``visitors`` (our people) from ``unit`` to
    ``external_unit``. Raises NotAllowed (not an officer, head, leader or the
    secretariat; a unit not theirs), InvalidInput (a contact of another unit,
    a date in the future, no visitor, no purpose)."""
    if not can_record_visit(actor):
        raise NotAllowed
    _check_visit(actor=actor, external_unit=external_unit, contact=contact, unit=unit, visitors=visitors,
                 visited_on=visited_on, purpose=purpose)
    visit = Visit(external_unit=external_unit, contact=contact, unit=unit, visited_on=visited_on, kind=kind,
                  method=method, purpose=purpose.strip(), findings=(findings or "").strip(), recorded_by=actor,
                  recorded_at=timezone.now())
    visit._history_user = actor
    visit._change_reason = "record"
    visit.save()
    visit.visitors.set(visitors)
    return visit


@transaction.atomic
def update_visit(*, actor, visit: Visit, contact: ExternalContact | None, visitors: list, visited_on: dt.date,
                 kind: str, method: str, purpose: str, findings: str = "") -> Visit:
    """Correct a visit's record (not its external unit or unit). Raises
    NotAllowed, InvalidInput as ``record_visit``."""
    visit = Visit.objects.select_for_update().select_related("external_unit", "unit").get(pk=visit.pk)
    if not can_edit_visit(actor, visit):
        raise NotAllowed
    _check_visit(actor=actor, external_unit=visit.external_unit, contact=contact, unit=visit.unit,
                 visitors=visitors, visited_on=visited_on, purpose=purpose)
    visit.contact, visit.visited_on, visit.kind, visit.method = contact, visited_on, kind, method
    visit.purpose, visit.findings = purpose.strip(), (findings or "").strip()
    visit._history_user = actor
    visit._change_reason = "edit"
    visit.save()
    visit.visitors.set(visitors)
    return visit


@transaction.atomic
def add_action(*, actor, visit: Visit, text: str, owner, due_on: dt.date) -> FollowUpAction:
    """Add a follow-up action due at the close of office on ``due_on`` (a
    working day, today or later) and tell its owner. Raises NotAllowed,
    InvalidInput (no text, a day off or past)."""
    visit = Visit.objects.select_for_update().select_related("external_unit", "unit").get(pk=visit.pk)
    if not can_edit_visit(actor, visit):
        raise NotAllowed
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("请填写跟进事项。"))
    if due_on < timezone.localdate():
        raise InvalidInput(_("完成期限不能早于今天。"))
    if not is_workday(due_on):
        raise InvalidInput(_("%(day)s 不是工作日，请选择一个工作日作为完成期限。") % {"day": due_on.isoformat()})
    action = FollowUpAction(visit=visit, text=text, owner=owner, due_at=end_of_working_day(due_on),
                            created_at=timezone.now())
    action._history_user = actor
    action._change_reason = "add"
    action.save()
    notices.action_assigned(action, actor=actor)
    return action


@transaction.atomic
def complete_action(*, actor, action: FollowUpAction, result: str) -> FollowUpAction:
    """Mark a follow-up action done with its result. Raises AlreadyDone
    (someone completed it first), NotAllowed (not the owner nor an editor of
    the visit), InvalidInput (no result)."""
    # Locked: two people completing at once would both pass the check below.
    action = FollowUpAction.objects.select_for_update().get(pk=action.pk)
    if action.done_at is not None:
        raise AlreadyDone(_("该跟进事项已办结，请刷新后查看。"))
    action.visit = Visit.objects.select_related("unit").get(pk=action.visit_id)
    if not can_complete_action(actor, action):
        raise NotAllowed
    result = (result or "").strip()
    if not result:
        raise InvalidInput(_("请填写办理结果。"))
    action.done_at, action.done_by, action.result = timezone.now(), actor, result
    action._history_user = actor
    action._change_reason = "done"
    action.save(update_fields=["done_at", "done_by", "result"])
    return action
