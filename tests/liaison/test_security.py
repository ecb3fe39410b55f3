"""Security baseline: lockout in a sliding window, unlock, sessions, passwords,
who reaches the admin (liaison/security.py, liaison/middleware.py,
liaison/passwords.py, liaison/admin_users.py)."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessFailureLog
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse

from liaison.models import AuditEntry, PasswordRecord
from tests.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"
START = "2026-03-02 09:00+08:00"


def fail(client, username="alice", password="wrong-password-1"):
    return client.post(LOGIN, {"username": username, "password": password})


def login(client, username="alice", password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


# --- lockout ----------------------------------------------------------------------


def test_five_failures_within_fifteen_minutes_lock_the_account(client, alice):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(4):
            assert fail(client).status_code == 200
            clock.shift(timedelta(minutes=3))

        fifth = fail(client)
        clock.shift(timedelta(minutes=1))
        right_password = login(client)
        logged_in = "_auth_user_id" in client.session

    assert fifth.status_code == 403
    assert right_password.status_code == 403
    assert "登录失败次数过多，请 30 分钟后再试" in right_password.content.decode()
    assert not logged_in


def test_five_failures_spread_over_more_than_fifteen_minutes_do_not_lock(client, alice):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(4):
            fail(client)
            clock.shift(timedelta(minutes=5))
        # The first failure is now 20 minutes old: only 4 remain in the window.
        fail(client)
        response = login(client)
        logged_in_as = client.session.get("_auth_user_id")

    assert response.status_code == 302
    assert logged_in_as == str(alice.pk)


def test_lock_lasts_thirty_minutes_from_the_fifth_failure(client, alice):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            fail(client)
        clock.shift(timedelta(minutes=29, seconds=50))
        still_locked = login(client)
        clock.shift(timedelta(seconds=20))
        released = login(client)

    assert still_locked.status_code == 403
    assert released.status_code == 302


def test_tries_during_the_lock_do_not_prolong_it(client, alice):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            fail(client)
        for _ in range(10):
            clock.shift(timedelta(minutes=2))
            assert fail(client).status_code == 403
        clock.shift(timedelta(minutes=11))  # 31 minutes after the fifth failure
        response = login(client)

    assert response.status_code == 302
    assert AccessFailureLog.objects.filter(username="alice").count() == 0  # cleared by the login


def test_successful_login_resets_the_count(client, alice):
    with time_machine.travel(START, tick=False):
        for _ in range(4):
            fail(client)
        login(client)
        client.post(reverse("logout"))
        for _ in range(4):
            fail(client)
        response = login(client)

    assert response.status_code == 302


def test_unknown_user_gets_the_same_lockout_page_as_a_real_one(client, alice):
    with time_machine.travel(START, tick=False):
        real = [fail(client, "alice") for _ in range(6)]
        ghost = [fail(client, "nobody-here") for _ in range(6)]

    assert [r.status_code for r in real] == [r.status_code for r in ghost] == [200, 200, 200, 200, 403, 403]
    assert _body(real[-1], "alice") == _body(ghost[-1], "nobody-here")
    assert _body(real[0], "alice") == _body(ghost[0], "nobody-here")


def _body(response, username):
    """Page text without the parts that differ per request (CSRF token, the typed name)."""
    import re

    text = response.content.decode().replace(username, "USERNAME")
    return re.sub(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+', r"\1", text)


def test_login_page_shows_a_generic_error(client, alice):
    response = fail(client)

    assert "用户名或密码不正确，请重新输入。" in response.content.decode()


def test_admin_unlock_action_lifts_the_lock_and_is_audited(client, alice):
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            fail(client, "alice")
        admin_client = client_class_for(client)
        admin_client.force_login(admin_user)

        response = admin_client.post(
            reverse("admin:auth_user_changelist"),
            {"action": "unlock_login", "_selected_action": [alice.pk]},
        )
        after = login(client)

    assert response.status_code == 302
    assert after.status_code == 302
    row = AuditEntry.objects.get(action=AuditEntry.Action.UNLOCK)
    assert (row.user, row.object_id, row.username) == (admin_user, str(alice.pk), "root")


def test_staff_without_change_permission_cannot_unlock(client, alice):
    viewer = UserFactory(username="viewer", is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            fail(client, "alice")
        other = client_class_for(client)
        other.force_login(viewer)

        other.post(reverse("admin:auth_user_changelist"), {"action": "unlock_login", "_selected_action": [alice.pk]})
        after = login(client)

    assert after.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UNLOCK).exists()


# The lockout in real time: no frozen clock, so the window logic really runs
# on the times the database stores (issue 10: the frozen clock hid that the
# stored failure time is later than the request's and no lock was recorded).


def test_lockout_in_real_time_writes_one_lockout_row_with_user_ip_and_time(client, alice):
    from django.utils import timezone

    before = timezone.now()
    statuses = [
        client.post(LOGIN, {"username": "alice", "password": "wrong-password-1"}, REMOTE_ADDR="10.2.3.4").status_code
        for _ in range(7)
    ]
    after = timezone.now()
    refused = client.post(LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.2.3.4")

    assert statuses == [200] * 4 + [403] * 3
    assert refused.status_code == 403
    lockouts = list(AuditEntry.objects.filter(action=AuditEntry.Action.LOCKOUT))
    assert [(r.user, r.username, r.ip, r.result) for r in lockouts] == [(alice, "alice", "10.2.3.4", "failure")]
    assert before <= lockouts[0].at <= after
    # The failure that started the lock is marked in axes' log too.
    assert list(AccessFailureLog.objects.order_by("attempt_time").values_list("locked_out", flat=True)) == [
        False, False, False, False, True,
    ]


def test_admin_unlock_in_real_time_writes_one_unlock_row_and_lifts_the_lock(client, alice):
    from django.test import Client

    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    for _ in range(5):
        client.post(LOGIN, {"username": "alice", "password": "wrong-password-1"}, REMOTE_ADDR="10.2.3.4")
    assert login(client).status_code == 403
    admin_client = Client()
    admin_client.force_login(admin_user)

    response = admin_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "unlock_login", "_selected_action": [alice.pk]},
        REMOTE_ADDR="10.9.9.9",
    )

    assert response.status_code == 302
    unlocks = list(AuditEntry.objects.filter(action=AuditEntry.Action.UNLOCK))
    assert [(r.user, r.username, r.object_id, r.ip) for r in unlocks] == [(admin_user, "root", str(alice.pk), "10.9.9.9")]
    assert unlocks[0].detail.startswith("账户处于锁定状态，已解除")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOCKOUT).count() == 1
    assert login(client).status_code == 302


def test_unlock_from_the_command_line_writes_one_unlock_row(client, alice):
    from django.core.management import call_command

    for _ in range(5):
        client.post(LOGIN, {"username": "alice", "password": "wrong-password-1"})
    assert login(client).status_code == 403

    call_command("axes_reset_username", "alice")

    unlocks = list(AuditEntry.objects.filter(action=AuditEntry.Action.UNLOCK))
    assert [(r.user, r.object_id) for r in unlocks] == [(None, str(alice.pk))]
    assert unlocks[0].detail == "账户处于锁定状态，已解除；清除 5 条登录失败记录（命令行解除）"
    assert login(client).status_code == 302


def test_the_failure_log_cannot_be_deleted_in_the_admin(client, alice):
    from django.test import Client

    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    for _ in range(5):
        client.post(LOGIN, {"username": "alice", "password": "wrong-password-1"})
    admin_client = Client()
    admin_client.force_login(root)
    ids = list(AccessFailureLog.objects.values_list("pk", flat=True))

    admin_client.post(reverse("admin:axes_accessfailurelog_changelist"),
                      {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    one = admin_client.post(reverse("admin:axes_accessfailurelog_delete", args=[ids[0]]), {"post": "yes"})

    assert one.status_code == 403
    assert AccessFailureLog.objects.count() == 5 and login(client).status_code == 403


def client_class_for(client):
    from django.test import Client

    return Client()


# --- sessions ---------------------------------------------------------------------


def test_session_key_changes_at_login(client, alice):
    client.get(LOGIN)
    session = client.session
    session["before_login"] = True
    session.save()
    anonymous_key = session.session_key

    login(client)

    assert client.session.session_key != anonymous_key
    assert not Session.objects.filter(session_key=anonymous_key).exists()


def test_logout_kills_the_session_on_the_server(client, alice):
    login(client)
    key = client.session.session_key
    cookie = client.cookies["sessionid"].value

    client.post(reverse("logout"))
    client.cookies["sessionid"] = cookie  # replay the stolen cookie
    response = client.get(reverse("officers:directory"))

    assert not Session.objects.filter(session_key=key).exists()
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_idle_session_ends_after_thirty_minutes(client, alice):
    with time_machine.travel(START, tick=False) as clock:
        login(client)
        clock.shift(timedelta(minutes=29))
        active = client.get(reverse("officers:directory"))
        clock.shift(timedelta(minutes=31))
        idle = client.get(reverse("officers:directory"))

    assert active.status_code == 200
    assert idle.status_code == 302 and idle["Location"].startswith(LOGIN)


def test_idle_timeout_is_enforced_by_the_middleware_too(client, alice, settings):
    # Even with a session store that outlives the cookie age.
    settings.SESSION_COOKIE_AGE = 24 * 3600
    with time_machine.travel(START, tick=False) as clock:
        login(client)
        clock.shift(timedelta(minutes=31))
        idle = client.get(reverse("officers:directory"), follow=True)
        logged_in = "_auth_user_id" in client.session

    assert "会话已超时，请重新登录。" in idle.content.decode()
    assert not logged_in
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGOUT, detail="会话空闲超时").count() == 1


def test_active_session_ends_after_twelve_hours(client, alice):
    with time_machine.travel(START, tick=False) as clock:
        login(client)
        for _ in range(28):  # a request every 25 minutes: never idle
            clock.shift(timedelta(minutes=25))
            assert client.get(reverse("officers:directory")).status_code == 200
        clock.shift(timedelta(minutes=25))  # 12 h 05 min after login
        response = client.get(reverse("officers:directory"))

    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGOUT, detail="会话超过最长时间").count() == 1


def test_cookie_and_hsts_settings_for_https():
    from django.conf import settings as django_settings

    assert django_settings.SESSION_COOKIE_HTTPONLY
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60
    assert django_settings.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")


# --- passwords --------------------------------------------------------------------


@pytest.mark.parametrize(
    "password, code",
    [
        ("Short1!", "password_too_short"),
        ("password1234", "password_too_common"),
        ("483920175563", "password_entirely_numeric"),
    ],
)
def test_weak_passwords_are_refused(db, password, code):
    with pytest.raises(ValidationError) as caught:
        validate_password(password)

    assert code in [e.code for e in caught.value.error_list]


def test_twelve_characters_of_one_class_pass_without_strict_mode(db, settings):
    settings.PASSWORD_STRICT = False

    validate_password("blue-river-lantern")  # raises if refused


def test_strict_mode_requires_three_character_classes(db, settings):
    settings.PASSWORD_STRICT = True

    with pytest.raises(ValidationError) as caught:
        validate_password("blue-river-lantern")
    validate_password("Blue-river-lantern")

    assert caught.value.messages == ["密码须包含大写字母、小写字母、数字、符号中的至少三类。"]


def test_password_change_page_enforces_the_rules(client, alice):
    client.force_login(alice)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )

    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_strict_mode_sends_an_old_password_to_the_change_page(client, settings, db):
    settings.PASSWORD_STRICT = True
    settings.PASSWORD_MAX_AGE_DAYS = 90
    with time_machine.travel("2026-01-05 10:00+08:00", tick=False) as clock:
        bob = UserFactory(username="bob")
        bob.set_password("Old-Password-2026")
        bob.save()
        clock.shift(timedelta(days=89))
        client.force_login(bob)
        fresh = client.get(reverse("officers:directory"))
        clock.shift(timedelta(days=2))
        client.force_login(bob)
        stale = client.get(reverse("officers:directory"))
        change_page = client.get(reverse("password_change"))
        client.post(
            reverse("password_change"),
            {"old_password": "Old-Password-2026", "new_password1": "New-Password-2026!", "new_password2": "New-Password-2026!"},
        )
        after_change = client.get(reverse("officers:directory"))

    assert fresh.status_code == 200
    assert stale.status_code == 302 and stale["Location"] == reverse("password_change")
    assert change_page.status_code == 200
    assert after_change.status_code == 200
    assert PasswordRecord.objects.get(user=bob).changed_at == datetime(2026, 4, 6, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_without_strict_mode_old_passwords_are_fine(client, settings, db):
    settings.PASSWORD_STRICT = False
    with time_machine.travel("2026-01-05 10:00+08:00", tick=False) as clock:
        bob = UserFactory(username="bob")
        clock.shift(timedelta(days=400))
        client.force_login(bob)
        response = client.get(reverse("officers:directory"))

    assert response.status_code == 200


def test_strict_mode_counts_from_joining_when_never_changed(client, settings, db):
    settings.PASSWORD_STRICT = True
    with time_machine.travel("2026-01-05 10:00+08:00", tick=False) as clock:
        bob = UserFactory(username="bob")  # factory sets a hash directly: no PasswordRecord
        clock.shift(timedelta(days=91))
        client.force_login(bob)
        response = client.get(reverse("officers:directory"), HTTP_HX_REQUEST="true")

    assert not PasswordRecord.objects.filter(user=bob).exists()
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("password_change")


# --- who reaches the admin --------------------------------------------------------


def test_officer_cannot_reach_the_admin(client, officer_market):
    client.force_login(officer_market)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_officer_cannot_open_an_admin_model_page(client, officer_market):
    client.force_login(officer_market)

    response = client.get(reverse("admin:auth_user_changelist"))

    assert response.status_code == 302
    assert get_user_model().objects.get(pk=officer_market.pk).is_staff is False
