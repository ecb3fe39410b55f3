"""Writes that matter in the organisation registry: roles, appointments,
contact changes and the filings they cause.

Every function takes the acting user (``actor``) and records it on the history
rows. ``actor=None`` means the system itself (management commands such as
``seed_demo``) and skips the permission check; views and the admin always pass
``request.user``.
"""
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.errors import FilingAlreadyRecorded, OfficerError, OfficerNotActive, PrimaryOfficerExists
from liaison.workdays import add_working_days

from . import extensions
from .backends import ADMIN_ROLES, forget_permissions
from .models import ChangeFiling, Officer, OrgUnit, Registration, RoleAssignment
from .roles import forget_roles

ENDING_STATUSES = (Officer.Status.LEFT, Officer.Status.REPLACED, Officer.Status.SUSPENDED)


def _require(actor, perm):
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied


def _person(user):
    return user.get_full_name() or user.username


# --- roles --------------------------------------------------------------------


def _sync_staff_status(user, actor):
    """Admin-relevant roles need the admin console; without them the user
    leaves it (superusers keep it: their rights do not come from roles)."""
    user.refresh_from_db(fields=["is_staff", "is_superuser"])
    needs_staff = RoleAssignment.objects.filter(user=user, role__in=ADMIN_ROLES).exists()
    wanted = needs_staff or user.is_superuser
    if user.is_staff != wanted:
        user.is_staff = wanted
        user.save(update_fields=["is_staff"])
    forget_roles(user)
    forget_permissions(user)


@transaction.atomic
def assign_role(*, user, role, actor, note="") -> RoleAssignment:
    """Give ``user`` an organisation role (idempotent) and the admin console
    when the role needs it."""
    _require(actor, "officers.add_roleassignment")
    if role not in RoleAssignment.Role.values:
        raise OfficerError(_("未知角色：%(role)s。") % {"role": role})
    assignment = RoleAssignment.objects.select_for_update().filter(user=user, role=role).first()
    if assignment is None:
        assignment = RoleAssignment(user=user, role=role, note=note)
        assignment._history_user = actor
        assignment._change_reason = "assign_role"
        assignment.save()  # liaison.signals writes the audit row
    _sync_staff_status(user, actor)
    return assignment


@transaction.atomic
def remove_role(*, user, role, actor) -> bool:
    """Take a role away; clears staff status when no admin role remains.
    Returns whether the user held the role."""
    _require(actor, "officers.delete_roleassignment")
    assignment = RoleAssignment.objects.select_for_update().filter(user=user, role=role).first()
    if assignment is None:
        _sync_staff_status(user, actor)
        return False
    assignment._history_user = actor
    assignment._change_reason = "remove_role"
    assignment.delete()  # liaison.signals writes the audit row
    _sync_staff_status(user, actor)
    return True


# --- change filings -----------------------------------------------------------


def _filing_due(changed_at):
    return add_working_days(changed_at, settings.OFFICER_CHANGE_FILING_WORKING_DAYS)


def _open_filings(*, registrations, reason, detail, actor, changed_at):
    """One filing per registration, due within the configured working days
    (seed 003: a change must reach the outside body within 2 working days)."""
    due_at = _filing_due(changed_at)
    filings = []
    for registration in registrations:
        filing = ChangeFiling(
            registration=registration, reason=reason, detail=detail[:200], changed_at=changed_at, due_at=due_at
        )
        filing._history_user = actor
        filing._change_reason = reason
        filing.save()
        filings.append(filing)
    return filings


def _registrations_of(officer):
    """Active registrations that name this officer, or that name nobody while
    this is the unit's primary officer."""
    registrations = Registration.objects.select_for_update().filter(unit_id=officer.unit_id, is_active=True)
    result = []
    for registration in registrations.order_by("pk"):
        if registration.officer_id == officer.pk or (registration.officer_id is None and officer.is_primary):
            result.append(registration)
    return result


# --- appointments -------------------------------------------------------------


@transaction.atomic
def save_new_officer(*, officer: Officer, actor, replace: bool = False) -> Officer:
    """Save an unsaved appointment (the admin's add form builds one). A unit
    has one active primary officer: a second one is refused with
    PrimaryOfficerExists, or with ``replace`` the current one is marked
    replaced on the new appointment date. A new primary becomes the registered
    officer of the unit's active registrations, each with a change filing.
    The apps registered in ``officers.extensions`` hear of the appointment in
    this transaction (the rules to confirm at induction)."""
    _require(actor, "officers.add_officer")
    return appoint_unchecked(officer=officer, actor=actor, replace=replace)


@transaction.atomic
def appoint_unchecked(*, officer: Officer, actor, replace: bool = False) -> Officer:
    """``save_new_officer`` without the model-permission check, for a caller
    that has checked its own right: a confirmed recommendation
    (``officers.recommendations.confirm_recommendation``, the secretariat's
    decision, seed 003 第三条)."""
    # Lock the unit: two appointments to one unit queue here, so the second
    # sees the first one's primary and gets a clear message, not an
    # IntegrityError from the constraint.
    unit = OrgUnit.objects.select_for_update().get(pk=officer.unit_id)
    officer.status = Officer.Status.ACTIVE
    officer.ended_on = None
    if officer.appointed_on is None:
        officer.appointed_on = timezone.localdate()

    active = (
        Officer.objects.select_for_update(of=("self",))
        .filter(unit=unit, status=Officer.Status.ACTIVE)
        .select_related("user")
    )
    if active.filter(user_id=officer.user_id).exists():
        raise OfficerError(
            _("%(name)s 已是%(unit)s的在岗联络员。") % {"name": _person(officer.user), "unit": unit.name}
        )
    previous = None
    if officer.is_primary:
        previous = active.filter(is_primary=True).first()
        if previous is not None and not replace:
            raise PrimaryOfficerExists(
                _("%(unit)s 已有在岗主联络员 %(name)s。请先结束其任命，或选择替换现任主联络员。")
                % {"unit": unit.name, "name": _person(previous.user)}
            )
        if previous is not None:
            _end(previous, status=Officer.Status.REPLACED, ended_on=officer.appointed_on, actor=actor)

    officer._history_user = actor
    officer._change_reason = "appoint"
    officer.save()

    if officer.is_primary:
        # Registrations naming nobody or an officer no longer in post pass to
        # the new primary; one naming another active officer (a deputy
        # registered on purpose) is left alone.
        registrations = [
            r
            for r in _registrations_of_unit(unit)
            if r.officer_id is None or r.officer.status != Officer.Status.ACTIVE
        ]
        for registration in registrations:
            registration.officer = officer
            registration._history_user = actor
            registration._change_reason = "officer_changed"
            registration.save(update_fields=["officer"])
        if previous is not None:
            detail = _("联络员由 %(old)s 变更为 %(new)s（%(phone)s）") % {
                "old": _person(previous.user),
                "new": _person(officer.user),
                "phone": officer.phone,
            }
        else:
            detail = _("联络员变更为 %(new)s（%(phone)s）") % {"new": _person(officer.user), "phone": officer.phone}
        _open_filings(
            registrations=registrations,
            reason=ChangeFiling.Reason.OFFICER_CHANGED,
            detail=detail,
            actor=actor,
            changed_at=timezone.now(),
        )
    forget_roles(officer.user)
    extensions.appointed(officer, actor)
    return officer


def _registrations_of_unit(unit):
    return list(
        Registration.objects.select_for_update(of=("self",))
        .filter(unit=unit, is_active=True)
        .select_related("officer")
        .order_by("pk")
    )


def appoint_officer(
    *,
    user,
    unit,
    actor,
    phone,
    email="",
    is_primary=True,
    appointed_on=None,
    replace=False,
    **details,
) -> Officer:
    """Appoint ``user`` as a liaison officer of ``unit`` (see save_new_officer).
    ``details`` are further Officer fields (note, induction_done_on…)."""
    officer = Officer(
        user=user,
        unit=unit,
        phone=phone,
        email=email,
        is_primary=is_primary,
        appointed_on=appointed_on or timezone.localdate(),
        **details,
    )
    return save_new_officer(officer=officer, actor=actor, replace=replace)


def _end(officer, *, status, ended_on, actor):
    officer.status = status
    officer.ended_on = ended_on
    officer._history_user = actor
    officer._change_reason = "end_appointment"
    officer.save(update_fields=["status", "ended_on"])
    forget_roles(officer.user)


@transaction.atomic
def end_appointment(*, officer: Officer, actor, status=Officer.Status.LEFT, ended_on=None) -> Officer:
    """End an active appointment (left, replaced or suspended) on ``ended_on``
    (default today); the row stays as the post's history. Registrations that
    name the officer lose them, each with a change filing. Raises
    OfficerNotActive if it has already ended."""
    _require(actor, "officers.change_officer")
    return end_unchecked(officer=officer, actor=actor, status=status, ended_on=ended_on)


@transaction.atomic
def end_unchecked(*, officer: Officer, actor, status=Officer.Status.LEFT, ended_on=None) -> Officer:
    """``end_appointment`` without the model-permission check (a replacement
    confirmed by the secretariat, ``officers.recommendations``)."""
    if status not in ENDING_STATUSES:
        raise OfficerError(_("无效的离任状态：%(status)s。") % {"status": status})
    officer = Officer.objects.select_for_update(of=("self",)).select_related("user", "unit").get(pk=officer.pk)
    if officer.status != Officer.Status.ACTIVE:
        raise OfficerNotActive(
            _("%(officer)s 当前状态为“%(status)s”，不能再结束任命。")
            % {"officer": officer, "status": officer.get_status_display()}
        )
    ended_on = ended_on or timezone.localdate()
    if ended_on < officer.appointed_on:
        raise OfficerError(_("离任日期不能早于任命日期。"))
    registrations = _registrations_of(officer)
    _end(officer, status=status, ended_on=ended_on, actor=actor)
    for registration in registrations:
        registration.officer = None
        registration._history_user = actor
        registration._change_reason = "officer_changed"
        registration.save(update_fields=["officer"])
    _open_filings(
        registrations=registrations,
        reason=ChangeFiling.Reason.OFFICER_CHANGED,
        detail=_("联络员 %(name)s %(status)s") % {"name": _person(officer.user), "status": officer.get_status_display()},
        actor=actor,
        changed_at=timezone.now(),
    )
    return officer


@transaction.atomic
def update_officer_contact(*, officer: Officer, actor, phone=None, email=None) -> Officer:
    """Change an active officer's phone and/or e-mail. Registrations naming the
    officer get a contact-change filing. Nothing happens if nothing changed."""
    _require(actor, "officers.change_officer")
    officer = Officer.objects.select_for_update(of=("self",)).select_related("user", "unit").get(pk=officer.pk)
    if officer.status != Officer.Status.ACTIVE:
        raise OfficerNotActive(_("%(officer)s 已不在岗，不能修改联系方式。") % {"officer": officer})
    changes = []
    if phone is not None and phone != officer.phone:
        changes.append(_("电话 %(old)s → %(new)s") % {"old": officer.phone or "—", "new": phone})
        officer.phone = phone
    if email is not None and email != officer.email:
        changes.append(_("邮箱 %(old)s → %(new)s") % {"old": officer.email or "—", "new": email or "—"})
        officer.email = email
    if not changes:
        return officer
    officer._history_user = actor
    officer._change_reason = "contact_changed"
    officer.save(update_fields=["phone", "email"])
    _open_filings(
        registrations=_registrations_of(officer),
        reason=ChangeFiling.Reason.CONTACT_CHANGED,
        detail=_("%(name)s：%(changes)s") % {"name": _person(officer.user), "changes": "；".join(changes)},
        actor=actor,
        changed_at=timezone.now(),
    )
    return officer


@transaction.atomic
def record_filing(*, filing: ChangeFiling, actor, filed_at=None, proof=None, note=None) -> ChangeFiling:
    """Record that the change was filed with the outside body (``filed_at``,
    default now; ``proof`` a file). The registration then carries the data the
    body now knows. A filing after its due time is late (ChangeFiling.is_late).
    Raises FilingAlreadyRecorded for a second record."""
    _require(actor, "officers.change_changefiling")
    filing = ChangeFiling.objects.select_for_update(of=("self",)).select_related("registration").get(pk=filing.pk)
    if filing.filed_at is not None:
        raise FilingAlreadyRecorded(_("该变更已于 %(when)s 报备，不能重复登记。") % {
            "when": timezone.localtime(filing.filed_at).strftime("%Y-%m-%d %H:%M")
        })
    now = timezone.now()
    filed_at = filed_at or now
    if filed_at > now:
        raise OfficerError(_("报备时间不能晚于当前时间。"))
    if filed_at < filing.changed_at:
        raise OfficerError(_("报备时间不能早于变更时间。"))
    filing.filed_at = filed_at
    filing.filed_by = actor
    if proof is not None:
        filing.proof = proof
    if note is not None:
        filing.note = note
    filing._history_user = actor
    filing._change_reason = "filed"
    filing.save()

    registration = Registration.objects.select_for_update(of=("self",)).select_related("officer__user").get(
        pk=filing.registration_id
    )
    if registration.officer is not None:
        registration.registered_name = _person(registration.officer.user)
        registration.registered_phone = registration.officer.phone
        registration.registered_email = registration.officer.email
        registration._history_user = actor
        registration._change_reason = "filed"
        registration.save(update_fields=["registered_name", "registered_phone", "registered_email"])
    return filing
