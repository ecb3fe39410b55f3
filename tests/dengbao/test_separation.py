"""三员分立 (issue 18 §2): each of the three administrators is refused what it
may not do at level 3; no one holds two; check_roles; the superuser check."""
import pytest
from django.core.checks import run_checks
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from dengbao import services
from dengbao.models import AdminDuty
from liaison.audit import can_view_audit
from liaison.models import AuditEntry
from officers.models import RoleAssignment
from tests.factories import UserFactory
from tests.liaison.test_settings import run

pytestmark = pytest.mark.django_db

Duty = AdminDuty.Duty


def verified_login(client, user):
    """Log in with a passed second factor (as after dengbao:verify)."""
    device = TOTPDevice.objects.create(user=user, name="totp", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def test_system_admin_cannot_read_the_audit_log_at_level3(client, level3, sysadmin):
    sysadmin.is_superuser = True  # not even as a superuser
    sysadmin.save()
    verified_login(client, sysadmin)

    assert client.get(reverse("audit-list")).status_code == 403
    assert client.get(reverse("admin:liaison_auditentry_changelist")).status_code == 403
    assert client.get(reverse("admin:index")).status_code == 200


def test_system_admin_reads_the_log_at_level2(sysadmin):
    sysadmin.is_superuser = True
    assert can_view_audit(sysadmin)


def test_security_admin_cannot_read_the_audit_log_at_level3(client, level3, secadmin):
    verified_login(client, secadmin)
    assert client.get(reverse("audit-list")).status_code == 403


def test_auditor_reads_the_log_but_changes_nothing_in_the_admin(client, level3, auditor3):
    auditor3.is_superuser = True  # even with every permission the admin stays read-only
    auditor3.save()
    verified_login(client, auditor3)
    other = UserFactory(username="someone")

    assert client.get(reverse("audit-list")).status_code == 200
    assert client.get(reverse("admin:auth_user_change", args=[other.pk])).status_code == 200
    post = client.post(reverse("admin:auth_user_change", args=[other.pk]), {"username": "renamed"})
    assert post.status_code == 403
    other.refresh_from_db()
    assert other.username == "someone"
    assert client.post(reverse("admin:officers_roleassignment_add"), {}).status_code == 403


def test_system_admin_does_not_change_roles_or_permissions(client, level3, sysadmin):
    sysadmin.is_superuser = True
    sysadmin.save()
    verified_login(client, sysadmin)
    other = UserFactory(username="someone")

    post = client.post(reverse("admin:officers_roleassignment_add"),
                       {"user": other.pk, "role": RoleAssignment.Role.SECRETARIAT})

    assert post.status_code == 403
    assert not RoleAssignment.objects.filter(user=other).exists()
    assert client.post(reverse("admin:dengbao_adminduty_add"), {"user": other.pk, "duty": "audit"}).status_code == 403


def test_security_admin_does_not_create_accounts(client, level3, secadmin):
    secadmin.is_superuser = True
    secadmin.save()
    verified_login(client, secadmin)

    post = client.post(reverse("admin:auth_user_add"),
                       {"username": "newbie", "password1": "x-Long-password-1", "password2": "x-Long-password-1"})

    assert post.status_code == 403
    assert not UserFactory._meta.model.objects.filter(username="newbie").exists()


def test_security_admin_assigns_duties_and_a_second_is_refused_clearly(client, level3, secadmin, sysadmin):
    verified_login(client, secadmin)

    page = client.post(reverse("admin:dengbao_adminduty_add"), {"user": sysadmin.pk, "duty": Duty.AUDIT})

    assert page.status_code == 200
    assert "三员分立" in page.content.decode() and "系统管理员" in page.content.decode()
    assert not AdminDuty.objects.filter(user=sysadmin, duty=Duty.AUDIT).exists()

    newcomer = UserFactory(username="newcomer")
    done = client.post(reverse("admin:dengbao_adminduty_add"), {"user": newcomer.pk, "duty": Duty.AUDIT})
    assert done.status_code == 302
    assert AdminDuty.objects.filter(user=newcomer, duty=Duty.AUDIT).exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.PERMISSION_CHANGE, object_id=str(newcomer.pk)).exists()


def test_service_refuses_a_second_duty_at_level3_only(settings, secadmin, auditor3):
    settings.SECURITY_LEVEL = 3
    with pytest.raises(ValidationError, match="三员分立"):
        services.assign_duty(actor=secadmin, user=auditor3, duty=Duty.SYSTEM)  # the supervision role is the auditor
    settings.SECURITY_LEVEL = 2
    secadmin.is_superuser = True
    services.assign_duty(actor=secadmin, user=auditor3, duty=Duty.SYSTEM)
    assert AdminDuty.objects.filter(user=auditor3, duty=Duty.SYSTEM).exists()


def test_check_roles_exits_0_with_a_summary(capsys, sysadmin, secadmin, auditor3):
    call_command("check_roles")

    out = capsys.readouterr().out
    assert "0 conflict(s)" in out and "system=1" in out and "security=1" in out and "audit=1" in out


def test_check_roles_exits_1_naming_who_holds_two(capsys, sysadmin, auditor3):
    AdminDuty.objects.create(user=auditor3, duty=Duty.SECURITY)

    with pytest.raises(SystemExit) as exit_:
        call_command("check_roles")

    assert exit_.value.code == 1
    captured = capsys.readouterr()
    assert "auditor3" in captured.err and "sysadmin" not in captured.err
    assert "1 conflict(s)" in captured.out


def test_superuser_in_use_warns_at_level3_only(settings):
    UserFactory(username="root", is_superuser=True, is_staff=True, last_login=timezone.now())

    assert not [m for m in run_checks() if m.id == "dengbao.W001"]
    settings.SECURITY_LEVEL = 3
    warnings = [m for m in run_checks() if m.id == "dengbao.W001"]
    assert len(warnings) == 1 and "root" in warnings[0].msg


def test_superuser_never_used_or_switched_off_is_not_warned(settings):
    settings.SECURITY_LEVEL = 3
    UserFactory(username="fresh", is_superuser=True, is_staff=True)  # created at installation, never logged in
    UserFactory(username="off", is_superuser=True, is_active=False, last_login=timezone.now())

    assert not [m for m in run_checks() if m.id == "dengbao.W001"]


def test_bad_security_level_stops_startup(tmp_path):
    result = run(["manage.py", "check"], tmp_path, LIAISON_SECURITY_LEVEL="4", DATABASE_URL="sqlite:///:memory:")

    assert result.returncode != 0
    assert "LIAISON_SECURITY_LEVEL='4' is not valid: expected 2 or 3" in result.stderr
