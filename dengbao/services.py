"""Level-3 administration: the second factor (TOTP, django-otp) and the
three separated administrators (三员分立).

Sources: GB/T 22239-2019 8.1.4.1 d) (two or more authentication techniques,
one of them cryptographic, for administrators), 8.1.4.2 c)/d) (separate
administrator accounts, least privilege, 三员分立) and 8.1.10.2 (system,
security and audit administrators). Every change writes an audit row
(liaison.audit) and, for duties, history (django-simple-history).
"""
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from liaison import audit

from .duties import Duty, duties_of, forget, level3
from .models import AdminDuty

User = get_user_model()

RECOVERY_CODES = 10  # one-time recovery codes per person
TOTP_NAME = "totp"
STATIC_NAME = "recovery"


def may_manage_duties(actor) -> bool:
    """Who assigns administrator duties: at level 3 the security administrator
    (and the superuser while installing); at level 2 superusers and holders of
    dengbao.add_adminduty."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    if level3():
        return Duty.SECURITY in duties_of(actor)
    return actor.has_perm("dengbao.add_adminduty")


def may_reset_second_factor(actor, user) -> bool:
    """Another administrator (a system or security administrator, or a
    superuser) resets a lost device; never one's own."""
    if actor is None or not actor.is_authenticated or not actor.is_active or user is None:
        return False
    if actor.pk == user.pk:
        return False
    return actor.is_superuser or bool(duties_of(actor) & {Duty.SYSTEM, Duty.SECURITY})


def duty_conflict(*, user, duty: str) -> str | None:
    """The message refusing ``duty`` to ``user`` at level 3 because they hold
    another of the three already; None when there is no conflict (or at level 2)."""
    if not level3():
        return None
    forget(user)
    others = duties_of(user) - {duty}
    if not others:
        return None
    held = "、".join(str(Duty(d).label) for d in sorted(others))
    return _("%(user)s 已担任%(held)s。等保三级要求三员分立：一人只能担任系统管理员、安全管理员、安全审计员中的一种，请先撤销原职责或另选他人。") % {
        "user": user.get_full_name() or user.username,
        "held": held,
    }


@transaction.atomic
def assign_duty(*, actor, user, duty: str, note: str = "") -> AdminDuty:
    """Give ``user`` the administrator ``duty`` (a Duty value) and return the row.

    Raises PermissionDenied when ``actor`` may not manage duties and
    ValidationError when level 3 forbids a second duty (三员分立) or the
    user already holds this one.
    """
    if not may_manage_duties(actor):
        raise PermissionDenied
    if duty not in Duty.values:
        raise ValidationError(_("未知的管理员职责。"))
    user = User.objects.select_for_update().get(pk=user.pk)  # serialises two assignments to one person
    if AdminDuty.objects.filter(user=user, duty=duty).exists():
        raise ValidationError(_("%(user)s 已担任该职责。") % {"user": user.get_full_name() or user.username})
    conflict = duty_conflict(user=user, duty=duty)
    if conflict:
        raise ValidationError(conflict)
    row = AdminDuty(user=user, duty=duty, note=note)
    row._history_user = actor
    row._change_reason = "assign"
    row.save()
    forget(user)
    audit.record(
        audit.Action.PERMISSION_CHANGE, user=actor, obj=user, detail=f"assign admin duty {duty}"
    )
    return row


@transaction.atomic
def revoke_duty(*, actor, row: AdminDuty) -> None:
    """Take an administrator duty away (PermissionDenied as assign_duty)."""
    if not may_manage_duties(actor):
        raise PermissionDenied
    row = AdminDuty.objects.select_for_update().select_related("user").get(pk=row.pk)
    row._history_user = actor
    row._change_reason = "revoke"
    user, duty = row.user, row.duty
    row.delete()
    forget(user)
    audit.record(audit.Action.PERMISSION_CHANGE, user=actor, obj=user, detail=f"revoke admin duty {duty}")


def has_second_factor(user) -> bool:
    """True when ``user`` has a confirmed TOTP authenticator."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def new_secret() -> str:
    """A fresh TOTP secret (40 hex digits, 160 bits, RFC 4226's advice) for a
    device not yet confirmed; the enrolment page keeps it in the session."""
    return random_hex(20)


def pending_device(*, user, key: str) -> TOTPDevice:
    """The not-yet-saved device for ``key``: what the QR code shows."""
    return TOTPDevice(user=user, key=key, name=TOTP_NAME, confirmed=False)


@transaction.atomic
def confirm_enrolment(*, user, key: str, token: str) -> tuple[TOTPDevice, list[str]]:
    """Save ``user``'s authenticator for secret ``key`` once the app shows the
    right 6-digit ``token``, and issue the recovery codes (returned once, in
    clear, to be written down).

    Raises ValidationError for a wrong or expired code, or when an
    authenticator is enrolled already (a lost one is reset by another
    administrator first); nothing is saved then.
    """
    User.objects.select_for_update().get(pk=user.pk)  # two tabs confirming at once: one wins
    if has_second_factor(user):
        raise ValidationError(_("您已绑定身份验证器。如设备丢失，请联系其他管理员重置。"))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, key=key, name=TOTP_NAME, confirmed=False)
    if not device.verify_token((token or "").strip()):
        # Rolls the device back with the transaction: nothing is kept.
        raise ValidationError(_("验证码不正确或已过期，请输入身份验证器上当前显示的 6 位数字。"))
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _issue_codes(user)
    audit.record(audit.Action.SETTINGS_CHANGE, user=user, obj=user, detail="second factor enrolled")
    return device, codes


def _issue_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=STATIC_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


@transaction.atomic
def new_recovery_codes(*, user) -> list[str]:
    """Replace ``user``'s recovery codes (the old ones stop working).
    ValidationError when no authenticator is enrolled."""
    User.objects.select_for_update().get(pk=user.pk)
    if not has_second_factor(user):
        raise ValidationError(_("请先绑定身份验证器。"))
    codes = _issue_codes(user)
    audit.record(audit.Action.SETTINGS_CHANGE, user=user, obj=user, detail="recovery codes replaced")
    return codes


@transaction.atomic
def reset_second_factor(*, actor, user) -> int:
    """Remove all of ``user``'s authenticators and recovery codes (a lost
    device) so they enrol again at the next admin page; returns how many
    devices were removed. Only another administrator may (PermissionDenied);
    the audit row names both."""
    if not may_reset_second_factor(actor, user):
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user.pk)
    removed, _detail = TOTPDevice.objects.filter(user=user).delete()
    static, _detail = StaticDevice.objects.filter(user=user).delete()
    audit.record(
        audit.Action.SETTINGS_CHANGE,
        user=actor,
        obj=user,
        detail=f"second factor reset for {user.get_username()} by {actor.get_username()}",
    )
    return removed + static
