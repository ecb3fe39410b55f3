"""Member units' basic information (issue 19 §4; seed 003 协会联络员工作制度
第六条(二): 联络员报送所在单位的基本信息(包括机构、人员、资质变化, 办公通讯地址
及法人变更等); 第三条/第四条: 报协会秘书处登记备案). The officer reports a change,
the secretariat approves it (the profile takes the new values, its history
keeps the old) or returns it with a reason."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from officers.models import OrgUnit

from .. import notices
from ..errors import AlreadyDecided, InvalidInput, NotAllowed, RelationsError
from ..models import PROFILE_FIELDS, MemberChange, MemberProfile
from ..permissions import can_report_member_change, can_review_member_change


def current_profile(unit: OrgUnit) -> MemberProfile:
    """The unit's profile, or an unsaved one named after the unit."""
    profile = MemberProfile.objects.filter(unit=unit).first()
    return profile or MemberProfile(unit=unit, name=unit.name)


def profile_values(profile: MemberProfile) -> dict:
    return {field: getattr(profile, field) for field in PROFILE_FIELDS}


@transaction.atomic
def submit_member_change(*, actor, unit: OrgUnit, values: dict, explanation: str) -> MemberChange:
    """Report a change of a member unit's basic information (``values``: the
    new name, legal representative, address, contact name, phone and e-mail)
    for review. Raises NotAllowed (not an active officer of this member unit),
    RelationsError (a change of the unit is already waiting), InvalidInput
    (nothing changed, no explanation, no name)."""
    # Locked: one open change per unit; two submissions at once queue here.
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    if not can_report_member_change(actor, unit):
        raise NotAllowed
    if MemberChange.objects.filter(unit=unit, state=MemberChange.State.SUBMITTED).exists():
        raise RelationsError(_("%(unit)s 已有一项待审核的变更，请等审核结果出来后再报送。") % {"unit": unit.name})
    values = {field: str(values.get(field) or "").strip() for field in PROFILE_FIELDS}
    if not values["name"]:
        raise InvalidInput(_("请填写单位名称。"))
    explanation = (explanation or "").strip()
    if not explanation:
        raise InvalidInput(_("请填写变更说明（变更原因及依据）。"))
    previous = profile_values(current_profile(unit))
    if previous == values:
        raise InvalidInput(_("报送的信息与现有信息相同，没有需要变更的内容。"))
    change = MemberChange(unit=unit, explanation=explanation, previous=previous, submitted_by=actor,
                          submitted_at=timezone.now(), **values)
    change._history_user = actor
    change._change_reason = "submit"
    change.save()
    notices.member_change_submitted(change, actor=actor)
    return change


def _decided(change: MemberChange, actor) -> MemberChange:
    # Locked: two reviewers deciding at once; the second sees it decided.
    change = MemberChange.objects.select_for_update().get(pk=change.pk)
    if change.state != MemberChange.State.SUBMITTED:
        raise AlreadyDecided(_("该变更已由他人审核（%(state)s），请刷新后查看。") % {
            "state": change.get_state_display()})
    if not can_review_member_change(actor, change):
        raise NotAllowed
    return change


@transaction.atomic
def approve_member_change(*, actor, change: MemberChange) -> MemberChange:
    """Approve a reported change: the member unit's profile takes the new
    values (its history keeps the old), the unit's name follows a new name.
    Raises AlreadyDecided, NotAllowed (not a reviewer, or the reporter)."""
    change = _decided(change, actor)
    now = timezone.now()
    unit = OrgUnit.objects.select_for_update().get(pk=change.unit_id)
    profile = MemberProfile.objects.select_for_update().filter(unit=unit).first() or MemberProfile(unit=unit)
    for field in PROFILE_FIELDS:
        setattr(profile, field, getattr(change, field))
    profile.updated_at = now
    profile._history_user = actor
    profile._change_reason = "member change %d" % change.pk
    profile.save()
    if unit.name != change.name:
        unit.name = change.name
        unit._history_user = actor
        unit._change_reason = "member change %d" % change.pk
        unit.save(update_fields=["name"])
    change.state, change.decided_by, change.decided_at = MemberChange.State.APPROVED, actor, now
    change._history_user = actor
    change._change_reason = "approve"
    change.save(update_fields=["state", "decided_by", "decided_at"])
    notices.member_change_decided(change, actor=actor)
    return change


@transaction.atomic
def return_member_change(*, actor, change: MemberChange, reason: str) -> MemberChange:
    """Return a reported change to its officer with a reason (required); the
    profile is unchanged. Raises AlreadyDecided, NotAllowed, InvalidInput."""
    change = _decided(change, actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("退回时必须填写理由。"))
    change.state, change.decided_by, change.decided_at = MemberChange.State.RETURNED, actor, timezone.now()
    change.return_reason = reason
    change._history_user = actor
    change._change_reason = "return"
    change.save(update_fields=["state", "decided_by", "decided_at", "return_reason"])
    notices.member_change_decided(change, actor=actor)
    return change
