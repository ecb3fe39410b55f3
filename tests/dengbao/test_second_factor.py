"""The second factor (issue 18 §1): enrolment, login, recovery codes, reset
by another administrator, and level 3 guarding the admin and audit pages."""
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dengbao import services
from dengbao.views import PENDING_KEY
from liaison.models import AuditEntry
from officers.models import RoleAssignment
from tests.factories import RoleFactory, UserFactory

from .conftest import code_for

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"


def enrol(client, user, when):
    """Walk the enrolment page; returns the recovery codes shown."""
    with time_machine.travel(when, tick=False):
        page = client.get(reverse("dengbao:enrol"))
        assert page.status_code == 200
        device = services.pending_device(user=user, key=client.session[PENDING_KEY])
        done = client.post(reverse("dengbao:enrol"), {"token": code_for(device)})
    assert done.status_code == 200
    return done.context["codes"]


def test_enrolment_page_draws_the_qr_code_inline_and_in_chinese(client, sysadmin):
    client.force_login(sysadmin)

    page = client.get(reverse("dengbao:enrol")).content.decode()

    assert "<svg" in page and "绑定身份验证器" in page
    assert "http://" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]  # nothing fetched from outside
    assert not TOTPDevice.objects.filter(user=sysadmin).exists()  # nothing saved before it is confirmed
    # A reload shows the same secret until it is confirmed.
    key = client.session[PENDING_KEY]
    client.get(reverse("dengbao:enrol"))
    assert client.session[PENDING_KEY] == key


def test_a_wrong_code_does_not_confirm_and_keeps_the_page(client, sysadmin):
    client.force_login(sysadmin)
    client.get(reverse("dengbao:enrol"))

    response = client.post(reverse("dengbao:enrol"), {"token": "000000x"})

    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=sysadmin).exists()
    assert not StaticToken.objects.filter(device__user=sysadmin).exists()


def test_enrolment_confirms_the_device_and_issues_ten_recovery_codes(client, sysadmin):
    client.force_login(sysadmin)

    codes = enrol(client, sysadmin, timezone.now())

    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=sysadmin).confirmed
    assert AuditEntry.objects.filter(user=sysadmin, detail="second factor enrolled").exists()
    # A second enrolment is refused: a lost device is reset by someone else.
    response = client.get(reverse("dengbao:enrol"))
    assert response.status_code == 302 and response.url == reverse("dengbao:overview")


def test_level3_admin_page_needs_enrolment_then_the_second_factor(client, level3, sysadmin):
    client.force_login(sysadmin)

    first = client.get(ADMIN)
    assert first.status_code == 302 and first.url.startswith(reverse("dengbao:enrol"))

    now = timezone.now()
    enrol(client, sysadmin, now)
    assert client.get(ADMIN).status_code == 200  # the enrolment verified this session

    # A new login: the password alone is not enough.
    client.logout()
    client.force_login(sysadmin)
    again = client.get(ADMIN)
    assert again.status_code == 302 and again.url.startswith(reverse("dengbao:verify"))
    device = TOTPDevice.objects.get(user=sysadmin)
    with time_machine.travel(now + timedelta(seconds=60), tick=False):
        wrong = client.post(reverse("dengbao:verify"), {"token": "123456", "next": ADMIN})
        assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    with time_machine.travel(now + timedelta(seconds=120), tick=False):
        passed = client.post(reverse("dengbao:verify"), {"token": code_for(device), "next": ADMIN})
    assert passed.status_code == 302 and passed.url == ADMIN
    assert client.get(ADMIN).status_code == 200
    assert AuditEntry.objects.filter(user=sysadmin, action=AuditEntry.Action.LOGIN_FAILED,
                                     detail="second factor failed").exists()


def test_level3_audit_page_needs_the_second_factor(client, level3, auditor3):
    client.force_login(auditor3)

    refused = client.get(reverse("audit-list"))
    assert refused.status_code == 302 and refused.url.startswith(reverse("dengbao:enrol"))

    enrol(client, auditor3, timezone.now())
    assert client.get(reverse("audit-list")).status_code == 200


def test_verify_does_not_follow_an_outside_next(client, level3, sysadmin):
    client.force_login(sysadmin)
    now = timezone.now()
    enrol(client, sysadmin, now)
    client.logout()
    client.force_login(sysadmin)
    device = TOTPDevice.objects.get(user=sysadmin)
    with time_machine.travel(now + timedelta(seconds=60), tick=False):
        response = client.post(reverse("dengbao:verify"), {"token": code_for(device), "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == reverse("dengbao:overview")


def test_level2_changes_nothing(client, sysadmin, auditor3):
    client.force_login(sysadmin)
    assert client.get(ADMIN).status_code == 200
    client.force_login(auditor3)
    assert client.get(reverse("audit-list")).status_code == 200


def test_a_recovery_code_passes_once(client, level3, sysadmin):
    client.force_login(sysadmin)
    codes = enrol(client, sysadmin, timezone.now())
    client.logout()
    client.force_login(sysadmin)

    used = client.post(reverse("dengbao:verify"), {"token": codes[0], "next": ADMIN})
    assert used.status_code == 302 and client.get(ADMIN).status_code == 200

    client.logout()
    client.force_login(sysadmin)
    again = client.post(reverse("dengbao:verify"), {"token": codes[0], "next": ADMIN})
    assert again.status_code == 200  # spent
    assert StaticToken.objects.filter(device__user=sysadmin).count() == 9


def test_new_recovery_codes_replace_the_old(client, level3, sysadmin):
    client.force_login(sysadmin)
    old = enrol(client, sysadmin, timezone.now())

    response = client.post(reverse("dengbao:codes"))

    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.filter(device__user=sysadmin).values_list("token", flat=True)) == set(new)


def test_new_recovery_codes_need_a_verified_session(client, level3, sysadmin):
    TOTPDevice.objects.create(user=sysadmin, name="totp", confirmed=True)
    client.force_login(sysadmin)

    response = client.post(reverse("dengbao:codes"))

    assert response.status_code == 302 and response.url.startswith(reverse("dengbao:verify"))


def test_another_administrator_resets_a_lost_device_with_an_audit_row(client, level3, sysadmin, secadmin):
    client.force_login(sysadmin)
    enrol(client, sysadmin, timezone.now())
    client.logout()
    client.force_login(secadmin)
    enrol(client, secadmin, timezone.now() + timedelta(seconds=60))

    confirm = client.get(reverse("dengbao:reset", args=[sysadmin.pk]))
    assert confirm.status_code == 200 and "确认重置" in confirm.content.decode()
    assert TOTPDevice.objects.filter(user=sysadmin).exists()  # the GET changes nothing

    done = client.post(reverse("dengbao:reset", args=[sysadmin.pk]))

    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=sysadmin).exists()
    assert not StaticToken.objects.filter(device__user=sysadmin).exists()
    row = AuditEntry.objects.get(detail__startswith="second factor reset")
    assert row.user == secadmin and row.object_id == str(sysadmin.pk)
    # The person whose device was reset enrols again at the next admin page.
    client.force_login(sysadmin)
    assert client.get(ADMIN).url.startswith(reverse("dengbao:enrol"))


def test_nobody_resets_their_own_device_and_officers_reset_nobody(client, sysadmin, secadmin):
    TOTPDevice.objects.create(user=sysadmin, name="totp", confirmed=True)
    client.force_login(sysadmin)
    assert client.post(reverse("dengbao:reset", args=[sysadmin.pk])).status_code == 404

    client.force_login(UserFactory(username="plain"))
    assert client.post(reverse("dengbao:reset", args=[secadmin.pk])).status_code == 404
    assert client.get(reverse("dengbao:overview")).status_code == 403


def test_level3_hr_directory_pages_need_the_second_factor(client, level3):
    """HR deactivates accounts from the sync reports and creates them from contacts imports: at level 3 those
    pages ask the second factor like the admin's (a plain officer is not asked it anywhere)."""
    hr = UserFactory(username="hr3")
    RoleFactory(user=hr, role=RoleAssignment.Role.HR_ADMIN)
    client.force_login(hr)

    for name in ("directory:reports", "directory:imports"):
        refused = client.get(reverse(name))
        assert refused.status_code == 302 and refused.url.startswith(reverse("dengbao:enrol")), name

    enrol(client, hr, timezone.now())
    assert client.get(reverse("directory:reports")).status_code == 200
    assert client.get(reverse("directory:imports")).status_code == 200
    assert services.has_second_factor(hr)


def test_level2_hr_directory_pages_ask_no_second_factor(client, settings):
    hr = UserFactory(username="hr2")
    RoleFactory(user=hr, role=RoleAssignment.Role.HR_ADMIN)
    client.force_login(hr)

    assert client.get(reverse("directory:reports")).status_code == 200
