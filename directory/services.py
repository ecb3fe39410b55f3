"""Writes of the directory app: a directory person onto our user (profile,
roles from groups, the link), linking messenger ids, switching off people the
directory disabled, and HR's review of a sync report (issue 20).

Who may do what: HR (officers role hr_admin) and superusers act on reports
and imports (``may_manage``); logins act as the person themselves (no actor).
"""
import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import audit, hooks
from liaison.models import AuditEntry
from liaison.normalize import normalize_phone
from officers.models import OrgUnit, RoleAssignment, StaffProfile
from officers.roles import forget_roles, roles_of

from .errors import LiaisonError
from .models import ExternalAccount, GroupRoleMap, Source, SyncReport

logger = logging.getLogger(__name__)
User = get_user_model()
# RoleAssignment.note of roles granted from a directory group: only these are
# taken back when the person leaves the group (HR's own grants stay).
DIRECTORY_NOTE = "目录组："


def may_manage(user) -> bool:
    """HR (hr_admin) or a superuser: reads sync reports, deactivates from
    them, runs contacts imports (issue 20: "reports … to HR")."""
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or roles_of(user).is_hr))


def unit_for(department: str) -> OrgUnit | None:
    """The active unit named (or coded) ``department``; None when none or several match."""
    department = (department or "").strip()
    if not department:
        return None
    units = list(OrgUnit.objects.filter(is_active=True, name=department)[:2]) or list(
        OrgUnit.objects.filter(is_active=True, code=department)[:2])
    return units[0] if len(units) == 1 else None


def roles_for_groups(groups) -> set[str]:
    """Roles GroupRoleMap gives members of ``groups`` (names or DNs, any case)."""
    wanted = {g.lower() for g in groups if g}
    if not wanted:
        return set()
    return {m.role for m in GroupRoleMap.objects.all() if m.group.strip().lower() in wanted}


@transaction.atomic
def apply_directory_person(*, user, person: dict, groups) -> dict:
    """After a directory login: phone and department onto the user's
    StaffProfile, roles from GroupRoleMap for ``groups`` (granted ones not
    held any more are taken back; roles HR gave by hand are kept), the DN
    linked (ExternalAccount). ``person`` as ldap_directory.person_from.
    Returns {"granted": [...], "revoked": [...]}; history rows name the user."""
    profile = StaffProfile.objects.select_for_update().filter(user=user).first()
    unit = unit_for(person.get("department", ""))
    phone = normalize_phone(person.get("phone", ""))
    if profile is None:
        profile = StaffProfile(user=user, unit=unit, phone=phone)
        profile._history_user = user
        profile._change_reason = "directory login"
        profile.save()
    else:
        changed = []
        if phone and profile.phone != phone:
            profile.phone = phone
            changed.append("phone")
        if unit is not None and profile.unit_id != unit.pk:
            profile.unit = unit
            changed.append("unit")
        if changed:
            profile._history_user = user
            profile._change_reason = "directory login"
            profile.save(update_fields=changed)

    wanted = roles_for_groups(groups)
    held = {r.role: r for r in RoleAssignment.objects.select_for_update().filter(user=user)}
    granted, revoked = [], []
    for role in sorted(wanted - set(held)):
        assignment = RoleAssignment(user=user, role=role, note=DIRECTORY_NOTE + "、".join(sorted(groups))[:180])
        assignment._history_user = user
        assignment.save()
        granted.append(role)
    for role, assignment in sorted(held.items()):
        if role not in wanted and assignment.note.startswith(DIRECTORY_NOTE):
            assignment._history_user = user
            assignment._change_reason = "directory group left"
            assignment.delete()
            revoked.append(role)
    forget_roles(user)
    if person.get("dn"):
        link_account(user=user, source=Source.LDAP, external_id=person["dn"], how="login")
    return {"granted": granted, "revoked": revoked}


def link_account(*, user, source: str, external_id: str, how: str, actor=None) -> ExternalAccount:
    """Record that ``user`` is ``external_id`` on ``source`` (replacing the
    user's earlier id there). Raises LiaisonError when that id is already
    another user's."""
    with transaction.atomic():
        taken = ExternalAccount.objects.select_for_update().filter(source=source, external_id=external_id).first()
        if taken is not None and taken.user_id != user.pk:
            raise LiaisonError(_("外部账号 %(id)s 已关联到其他用户。") % {"id": external_id})
        if taken is not None:
            return taken
        account = ExternalAccount.objects.select_for_update().filter(user=user, source=source).first()
        if account is None:
            account = ExternalAccount(user=user, source=source)
        account.external_id = external_id
        account.linked_by = how
        account.linked_at = timezone.now()
        account._history_user = actor or user
        try:
            with transaction.atomic():
                account.save()
        except IntegrityError:
            raise LiaisonError(_("外部账号 %(id)s 已关联到其他用户。") % {"id": external_id}) from None
        return account


def switch_off_disabled(*, username: str, request=None) -> bool:
    """A person the directory marks disabled tried to log in: their local
    account (if any, and still active) is switched off the way every account
    is (liaison.hooks.deactivate_user: open review steps handed over, the
    secretariat told), with an audit row. Returns whether an account was
    switched off now."""
    user = User.objects.filter(username__iexact=username).first()
    # Django's user_login_failed adds the login_failed row (lockout counts it too).
    audit.record(
        AuditEntry.Action.OTHER, user=user, request=request, username=username,
        result=AuditEntry.Result.FAILURE, detail="目录中账号已停用，拒绝登录",
    )
    if user is None or not user.is_active:
        return False
    hooks.deactivate_user(user=user, actor=None)
    audit.record(AuditEntry.Action.PERMISSION_CHANGE, user=None, obj=user, username=user.get_username(),
                 detail="目录中账号已停用：本地账号随之停用")
    return True


@transaction.atomic
def deactivate_from_report(*, report: SyncReport, user_id: int, actor):
    """HR switches off one person a sync report lists as missing from, or
    disabled in, the directory. Raises PermissionDenied for anyone but HR,
    LiaisonError when the report does not list that person so."""
    if not may_manage(actor):
        raise PermissionDenied
    report = SyncReport.objects.select_for_update().get(pk=report.pk)
    row = next((r for r in report.rows if r.get("user_id") == user_id and r.get("kind") in ("missing", "disabled")),
               None)
    if row is None:
        raise LiaisonError(_("该报告中没有此人员的停用建议。"))
    user = User.objects.get(pk=user_id)
    if not user.is_active:
        raise LiaisonError(_("%(name)s 的账号已停用。") % {"name": user.get_full_name() or user.username})
    # The is_active change is audited naming HR (liaison.signals).
    return hooks.deactivate_user(user=user, actor=actor)


@transaction.atomic
def mark_report_reviewed(*, report: SyncReport, actor) -> SyncReport:
    """HR has read the report. Raises PermissionDenied for anyone but HR."""
    if not may_manage(actor):
        raise PermissionDenied
    report = SyncReport.objects.select_for_update().get(pk=report.pk)
    if report.reviewed_at is None:
        report.reviewed_at = timezone.now()
        report.reviewed_by = actor
        report._history_user = actor
        report._change_reason = "reviewed"
        report.save(update_fields=["reviewed_at", "reviewed_by"])
    return report
