"""Who may change what (issue 19 §3–4). Services call these after the state
check and raise ``NotAllowed``; objects are fetched through the selectors
first, so a user who may not see an object gets a 404, not a 403."""
from __future__ import annotations

from officers.models import OrgUnit
from officers.roles import roles_of

from .selectors import reviews_member_changes, unit_ids_of


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def can_record_visit(user) -> bool:
    """Officers, heads, leaders and the secretariat record visits."""
    if not _active(user):
        return False
    r = roles_of(user)
    return r.is_secretariat or bool(unit_ids_of(user))


def visit_units_for(user):
    """The units a user may record a visit for: all for the secretariat, else their own."""
    units = OrgUnit.objects.filter(is_active=True)
    if roles_of(user).is_secretariat:
        return units
    return units.filter(pk__in=unit_ids_of(user))


def can_edit_visit(user, visit) -> bool:
    """The recorder, the visitors, the visiting unit's officers/head/leader and the secretariat."""
    if not _active(user):
        return False
    if roles_of(user).is_secretariat or visit.recorded_by_id == user.pk or visit.unit_id in unit_ids_of(user):
        return True
    return visit.visitors.filter(pk=user.pk).exists()


def can_complete_action(user, action) -> bool:
    """The owner, or whoever may edit the visit."""
    return _active(user) and (action.owner_id == user.pk or can_edit_visit(user, action.visit))


def manages_obligations(user) -> bool:
    """The secretariat keeps the obligations calendar."""
    return _active(user) and (user.is_superuser or roles_of(user).is_secretariat)


def can_complete_occurrence(user, occurrence) -> bool:
    """The person responsible, the owner unit's officers and head, the secretariat."""
    if not _active(user):
        return False
    obligation = occurrence.obligation
    r = roles_of(user)
    if r.is_secretariat or obligation.owner_user_id == user.pk:
        return True
    return obligation.owner_unit_id is not None and obligation.owner_unit_id in (
        set(r.officer_unit_ids) | set(r.headed_unit_ids))


def can_report_member_change(user, unit) -> bool:
    """An active officer of the member unit reports its changes (seed 003 第六条(二))."""
    return (_active(user) and unit.kind == OrgUnit.Kind.MEMBER
            and unit.pk in roles_of(user).officer_unit_ids)


def can_review_member_change(user, change) -> bool:
    """The secretariat reviews; never the one who reported the change."""
    return reviews_member_changes(user) and change.submitted_by_id != user.pk
