"""Directory login against a real OpenLDAP server (issue 20 §1)."""
import pytest
from axes.models import AccessFailureLog
from django.contrib.auth import authenticate, get_user_model
from django.urls import reverse

from directory.models import ExternalAccount, GroupRoleMap
from directory.services import DIRECTORY_NOTE
from liaison.models import AuditEntry
from officers.models import RoleAssignment
from tests.directory.slapd import PASSWORD
from tests.factories import OrgUnitFactory, RoleFactory, UserFactory

User = get_user_model()
pytestmark = pytest.mark.django_db


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_directory_person_logs_in_and_gets_name_mail_phone_department_roles(client, directory):
    market = OrgUnitFactory(name="市场部", code="MKT")
    GroupRoleMap.objects.create(group="hr", role=RoleAssignment.Role.HR_ADMIN)
    GroupRoleMap.objects.create(group="cn=secretariat,ou=groups,dc=example,dc=cn", role=RoleAssignment.Role.SECRETARIAT)
    GroupRoleMap.objects.create(group="archivists", role=RoleAssignment.Role.ARCHIVIST)

    response = login(client, "zhangsan", PASSWORD)

    assert response.status_code == 302
    user = User.objects.get(username="zhangsan")
    assert (user.first_name, user.email) == ("张三", "zhangsan@example.cn")
    assert (user.profile.phone, user.profile.unit) == ("13800000001", market)
    assert not user.has_usable_password()
    assert set(user.roles.values_list("role", flat=True)) == {"hr_admin", "secretariat"}
    assert ExternalAccount.objects.get(user=user, source="ldap").external_id == "uid=zhangsan,ou=people,dc=example,dc=cn"
    assert AuditEntry.objects.filter(action="login", username="zhangsan").count() == 1
    assert user.roles.get(role="hr_admin").history.count() == 1


def test_role_from_a_group_left_is_taken_back_but_hr_grants_stay(client, directory):
    user = UserFactory(username="wangwu")
    RoleFactory(user=user, role=RoleAssignment.Role.HR_ADMIN, note=DIRECTORY_NOTE + "hr")
    RoleFactory(user=user, role=RoleAssignment.Role.LEGAL, note="人力资源部指定")
    GroupRoleMap.objects.create(group="hr", role=RoleAssignment.Role.HR_ADMIN)
    GroupRoleMap.objects.create(group="secretariat", role=RoleAssignment.Role.SECRETARIAT)

    login(client, "wangwu", PASSWORD)

    assert set(user.roles.values_list("role", flat=True)) == {"legal", "secretariat"}


def test_wrong_directory_password_is_refused_audited_and_counts_to_the_lockout(client, directory, settings):
    response = login(client, "zhangsan", "wrong-password")

    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert AuditEntry.objects.filter(action="login_failed", username="zhangsan").count() == 1
    assert AccessFailureLog.objects.filter(username="zhangsan").count() == 1


def test_lockout_applies_to_directory_people(client, directory, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        login(client, "zhangsan", "wrong-password")

    response = login(client, "zhangsan", PASSWORD)

    assert response.status_code == 403
    assert not User.objects.filter(username="zhangsan", last_login__isnull=False).exists()
    assert AuditEntry.objects.filter(action="lockout", username="zhangsan").count() == 1


def test_person_disabled_in_the_directory_is_refused_and_switched_off(client, directory):
    user = UserFactory(username="lisi")
    user.set_password("Local-pass-123!")
    user.save()

    response = login(client, "lisi", PASSWORD)
    local = login(client, "lisi", "Local-pass-123!")

    assert response.status_code == 200 and local.status_code == 200
    user.refresh_from_db()
    assert not user.is_active
    assert AuditEntry.objects.filter(action="other", username="lisi", detail__contains="目录中账号已停用").exists()
    assert AuditEntry.objects.filter(action="login_failed", username="lisi").count() == 2


def test_disabled_person_without_local_account_gets_none(directory, rf):
    assert authenticate(rf.post("/accounts/login/"), username="lisi", password=PASSWORD) is None

    assert not User.objects.filter(username="lisi").exists()


def test_local_account_unknown_to_the_directory_still_logs_in(client, directory):
    admin = UserFactory(username="breakglass")
    admin.set_password("Break-glass-123!")
    admin.save()

    response = login(client, "breakglass", "Break-glass-123!")

    assert response.status_code == 302


def test_local_accounts_work_when_the_directory_is_down(client, directory, settings):
    settings.DIRECTORY_LDAP = {**settings.DIRECTORY_LDAP, "URI": "ldap://127.0.0.1:1", "TIMEOUT": 1}
    admin = UserFactory(username="breakglass")
    admin.set_password("Break-glass-123!")
    admin.save()

    assert login(client, "breakglass", "Break-glass-123!").status_code == 302


def test_account_switched_off_in_the_portal_stays_off(client, directory):
    UserFactory(username="zhaoliu", is_active=False)

    response = login(client, "zhaoliu", PASSWORD)

    assert response.status_code == 200
    assert not User.objects.get(username="zhaoliu").is_active


def test_no_directory_configured_means_local_only(client, settings, rf):
    settings.DIRECTORY_LDAP = {**settings.DIRECTORY_LDAP, "URI": ""}

    assert authenticate(rf.post("/accounts/login/"), username="zhangsan", password=PASSWORD) is None
