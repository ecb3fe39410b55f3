"""The audit log (liaison/audit.py, liaison/signals.py, liaison/admin_audit.py,
liaison/views_audit.py): what is recorded, that rows cannot be changed, and
who may read them."""
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from liaison import audit
from liaison.models import AuditEntry
from officers.models import RoleAssignment
from tests.factories import PASSWORD, RoleFactory, UserFactory

Action = AuditEntry.Action
LOGIN = "/accounts/login/"


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def rows(action):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


# --- record() ---------------------------------------------------------------------


def test_record_takes_user_and_ip_from_the_request(rf, alice, market):
    request = rf.get("/", REMOTE_ADDR="10.1.2.3")
    request.user = alice

    entry = audit.record(Action.EXPORT, request=request, obj=market, detail="沟通台账 2026-03")

    entry.refresh_from_db()
    assert (entry.user, entry.username, entry.ip) == (alice, "alice", "10.1.2.3")
    assert (entry.object_type, entry.object_id, entry.object_repr) == ("officers.OrgUnit", str(market.pk), str(market))
    assert entry.result == "success" and entry.detail == "沟通台账 2026-03"


def test_record_refuses_an_unknown_action(db):
    with pytest.raises(ValueError):
        audit.record("tea_break")


def test_record_refuses_an_unknown_result(db):
    with pytest.raises(ValueError):
        audit.record(Action.IMPORT, result="maybe")


def test_record_outside_a_request_has_no_ip(alice):
    entry = audit.record(Action.IMPORT, user=alice, detail="名册导入 3 行")

    assert entry.ip is None and entry.username == "alice"


# --- append-only ------------------------------------------------------------------


@pytest.fixture
def entry(alice):
    return audit.record(Action.LOGIN, user=alice)


def test_saving_a_stored_row_is_refused(entry):
    entry.detail = "篡改"

    with pytest.raises(PermissionDenied):
        entry.save()

    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


def test_saving_with_update_fields_is_refused(entry):
    entry.result = "failure"

    with pytest.raises(PermissionDenied):
        entry.save(update_fields=["result"])

    assert AuditEntry.objects.get(pk=entry.pk).result == "success"


def test_deleting_a_row_is_refused(entry):
    with pytest.raises(PermissionDenied):
        entry.delete()

    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_queryset_update_is_refused(entry):
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).update(detail="篡改")

    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


def test_queryset_delete_is_refused(entry):
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.all().delete()

    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_bulk_update_is_refused(entry):
    entry.detail = "篡改"

    # A savepoint, because bulk_update's own atomic block spoils the test's transaction.
    with pytest.raises(PermissionDenied), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["detail"])

    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


def test_deleting_the_user_keeps_the_rows(entry, alice):
    alice.delete()

    kept = AuditEntry.objects.get(pk=entry.pk)
    assert kept.user is None and kept.username == "alice"


def test_admin_offers_no_add_change_or_delete_even_to_a_superuser(client, root, entry):
    client.force_login(root)

    changelist = client.get(reverse("admin:liaison_auditentry_changelist"))
    detail = client.get(reverse("admin:liaison_auditentry_change", args=[entry.pk]))
    add = client.get(reverse("admin:liaison_auditentry_add"))
    post = client.post(reverse("admin:liaison_auditentry_change", args=[entry.pk]), {"detail": "篡改"})
    delete = client.post(reverse("admin:liaison_auditentry_delete", args=[entry.pk]), {"post": "yes"})
    bulk = client.post(
        reverse("admin:liaison_auditentry_changelist"), {"action": "delete_selected", "_selected_action": [entry.pk]}
    )

    assert changelist.status_code == 200 and detail.status_code == 200
    assert "delete_selected" not in changelist.content.decode()
    assert (add.status_code, post.status_code, delete.status_code) == (403, 403, 403)
    assert bulk.status_code in (200, 302)
    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


def test_staff_auditor_reads_the_log_in_the_admin(client, entry):
    auditor = UserFactory(username="staff_auditor", is_staff=True)
    RoleFactory(user=auditor, role=RoleAssignment.Role.SUPERVISION)
    client.force_login(auditor)

    response = client.get(reverse("admin:liaison_auditentry_changelist"))

    assert response.status_code == 200
    page = response.content.decode()
    assert entry.user.get_full_name() in page and ">alice<" not in page  # the person by name


def test_other_staff_cannot_read_the_log_in_the_admin(client, secretary, entry):
    client.force_login(secretary)

    response = client.get(reverse("admin:liaison_auditentry_changelist"))

    assert response.status_code == 403


# --- what the signals record ------------------------------------------------------


def test_login_logout_and_failed_login_are_recorded(client, alice):
    client.post(LOGIN, {"username": "alice", "password": "wrong-password"}, REMOTE_ADDR="10.0.0.7")
    client.post(LOGIN, {"username": "ghost", "password": "wrong-password"}, REMOTE_ADDR="10.0.0.7")
    client.post(LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.8")
    client.post(reverse("logout"), REMOTE_ADDR="10.0.0.8")

    failed = rows(Action.LOGIN_FAILED)
    assert [(r.username, r.user, r.result, r.ip) for r in failed] == [
        ("alice", alice, "failure", "10.0.0.7"),
        ("ghost", None, "failure", "10.0.0.7"),
    ]
    assert [(r.user, r.ip) for r in rows(Action.LOGIN)] == [(alice, "10.0.0.8")]
    assert [(r.user, r.ip) for r in rows(Action.LOGOUT)] == [(alice, "10.0.0.8")]


def test_lockout_is_recorded_once_and_later_tries_are_marked(client, alice):
    with time_machine.travel("2026-03-02 09:00+08:00", tick=False):
        for _ in range(7):
            client.post(LOGIN, {"username": "alice", "password": "wrong-password"})

    lockouts = rows(Action.LOCKOUT)
    failed = rows(Action.LOGIN_FAILED)
    assert [(r.user, r.username) for r in lockouts] == [(alice, "alice")]
    assert [r.detail for r in failed] == [""] * 5 + ["账户锁定期间的登录尝试，未核对密码"] * 2


def test_password_change_by_the_user_is_recorded(client, alice):
    client.force_login(alice)

    client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Another-Secret-2026", "new_password2": "Another-Secret-2026"},
    )

    [row] = rows(Action.PASSWORD_CHANGE)
    assert (row.user, row.object_id, row.detail) == (alice, str(alice.pk), "本人修改密码")


def test_password_reset_in_the_admin_is_recorded_with_the_actor(client, root, alice):
    client.force_login(root)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[alice.pk]),
        {"password1": "Admin-Chosen-2026", "password2": "Admin-Chosen-2026", "usable_password": "true"},
    )

    assert response.status_code == 302
    [row] = rows(Action.PASSWORD_CHANGE)
    assert (row.user, row.object_id, row.detail) == (root, str(alice.pk), "由 root 重置密码")


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 10


def test_password_hash_upgrade_at_login_is_not_a_change(client, settings, alice):
    settings.PASSWORD_HASHERS = [
        "tests.liaison.test_audit.QuickPBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]  # alice's MD5 hash gets upgraded at login

    client.post(LOGIN, {"username": "alice", "password": PASSWORD})

    alice.refresh_from_db()
    assert alice.password.startswith("pbkdf2_sha256$")
    assert rows(Action.PASSWORD_CHANGE) == []


def test_staff_and_superuser_flags_are_recorded_with_the_actor(rf, monkeypatch, root, alice):
    request = rf.post("/admin/auth/user/", REMOTE_ADDR="10.9.9.9")
    request.user = root
    monkeypatch.setattr(audit, "current_request", lambda: request)

    alice.is_staff = True
    alice.save()
    alice.is_superuser = True
    alice.is_active = False
    alice.save()

    changes = AuditEntry.objects.filter(action=Action.PERMISSION_CHANGE, object_id=str(alice.pk)).order_by("id")
    assert [(r.user, r.object_id, r.ip, r.detail) for r in changes] == [
        (root, str(alice.pk), "10.9.9.9", "管理后台权限：否 → 是"),
        (root, str(alice.pk), "10.9.9.9", "超级用户：否 → 是；账户启用：是 → 否"),
    ]


def test_new_staff_account_is_recorded(db):
    admin_user = UserFactory(username="new_admin", is_staff=True)

    [row] = rows(Action.PERMISSION_CHANGE)
    assert (row.object_id, row.detail) == (str(admin_user.pk), "管理后台权限：否 → 是")


def test_last_login_update_costs_no_extra_query(alice, django_assert_num_queries):
    alice.last_login = timezone.now()

    with django_assert_num_queries(1):
        alice.save(update_fields=["last_login"])

    assert rows(Action.PERMISSION_CHANGE) == []


def test_group_and_permission_changes_are_recorded_from_either_side(alice):
    editors = Group.objects.create(name="编辑")
    perm = Permission.objects.get(codename="view_user")

    alice.groups.add(editors)
    editors.user_set.remove(alice)
    alice.user_permissions.add(perm)
    alice.user_permissions.clear()
    editors.permissions.add(perm)

    assert [r.detail for r in rows(Action.PERMISSION_CHANGE)] == [
        "加入用户组：编辑",
        "移出用户组：编辑",
        "加入权限：auth.view_user",
        "移出权限：auth.view_user",
        "加入组权限：auth.view_user",
    ]
    # The object is named as people read it (issue 10, 6.2); its id stays in object_id.
    assert [r.object_repr for r in rows(Action.PERMISSION_CHANGE)][:4] == [alice.get_full_name()] * 4
    assert [r.object_id for r in rows(Action.PERMISSION_CHANGE)][:4] == [str(alice.pk)] * 4


def test_users_read_as_their_display_names_in_admin_lists(client, root, alice):
    from infoflow.models import Item  # noqa: F401  (the admin is loaded with every app)
    from liaison.models import Notification

    Notification.objects.create(recipient=alice, key="k", subject="测试通知")
    client.force_login(root)
    page = client.get("/admin/liaison/notification/").content.decode()

    assert str(alice) == alice.get_full_name() != "alice"
    assert alice.get_full_name() in page
    assert ">alice<" not in page
    # The notice's kind reads as its label, in the column and in the filter.
    assert ">通知<" in page and ">other<" not in page and "即将到期" in page


def test_role_grant_change_and_revoke_are_recorded(alice):
    role = RoleFactory(user=alice, role=RoleAssignment.Role.LEGAL)
    role.role = RoleAssignment.Role.SUPERVISION
    role.save()
    role.delete()

    assert [(r.object_id, r.detail) for r in rows(Action.PERMISSION_CHANGE)] == [
        (str(alice.pk), "授予角色：%s" % RoleAssignment.Role.LEGAL.label),
        (str(alice.pk), "角色变更：%s → %s" % (RoleAssignment.Role.LEGAL.label, RoleAssignment.Role.SUPERVISION.label)),
        (str(alice.pk), "撤销角色：%s" % RoleAssignment.Role.SUPERVISION.label),
    ]


def test_a_forwarded_ip_is_used_only_behind_a_declared_proxy(rf, alice, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    request.user = alice

    direct = audit.record(Action.OTHER, request=request)

    assert direct.ip == "10.0.0.1"


# --- the auditors' page -----------------------------------------------------------


def test_auditor_sees_the_log_page(client, auditor, alice):
    audit.record(Action.EXPORT, user=alice, detail="沟通台账")
    client.force_login(auditor)

    response = client.get(reverse("audit-list"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "沟通台账" in body and "导出" in body


def test_menu_shows_the_log_to_auditors_only(client, auditor, officer_market):
    client.force_login(auditor)
    auditor_home = client.get(reverse("officers:directory")).content.decode()
    client.force_login(officer_market)
    officer_home = client.get(reverse("officers:directory")).content.decode()

    assert reverse("audit-list") in auditor_home
    assert reverse("audit-list") not in officer_home


@pytest.mark.parametrize("persona", ["officer_market", "secretary", "employee", "head_market"])
def test_non_auditors_get_403_on_the_log_page(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("audit-list"))

    assert response.status_code in (403, 404)


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(reverse("audit-list"))

    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_log_page_filters_by_user_action_and_dates(client, auditor, alice):
    bob = UserFactory(username="bob")
    with time_machine.travel("2026-03-01 23:30+08:00", tick=False) as clock:
        audit.record(Action.EXPORT, user=alice, detail="三月一日导出")
        clock.shift(timedelta(hours=1))  # 2026-03-02 00:30 local
        audit.record(Action.EXPORT, user=alice, detail="三月二日导出")
        audit.record(Action.IMPORT, user=alice, detail="三月二日导入")
        audit.record(Action.EXPORT, user=bob, detail="鲍勃导出")
        client.force_login(auditor)

        response = client.get(
            reverse("audit-list"),
            {"username": "alice", "action": "export", "date_from": "2026-03-02", "date_to": "2026-03-02"},
        )

    assert [e.detail for e in response.context["page"]] == ["三月二日导出"]


def test_log_page_rejects_an_inverted_date_range(client, auditor, alice):
    audit.record(Action.EXPORT, user=alice)
    client.force_login(auditor)

    response = client.get(reverse("audit-list"), {"date_from": "2026-03-05", "date_to": "2026-03-01"})

    assert "结束日期不能早于开始日期。" in response.content.decode()
    assert list(response.context["page"]) == []


def test_log_page_is_paginated(client, auditor, alice):
    for n in range(55):
        audit.record(Action.EXPORT, user=alice, detail="第 %d 次" % n)
    client.force_login(auditor)

    first = client.get(reverse("audit-list"))
    second = client.get(reverse("audit-list"), {"page": 2})

    assert len(first.context["page"]) == 50
    # 55 exports, the auditor's role grant and login.
    assert len(second.context["page"]) == AuditEntry.objects.count() - 50


def test_log_page_query_count_does_not_grow_with_rows(client, auditor, django_assert_num_queries):
    users = [UserFactory(username="u%d" % n, first_name="用户%d" % n) for n in range(30)]
    client.force_login(auditor)
    # session, user, roles (1), unread notices (the bell), count, page; no session save (the last-seen
    # time is written at most once a minute, issue 12)
    with django_assert_num_queries(6):
        few = client.get(reverse("audit-list"))

    for user in users:
        audit.record(Action.LOGIN, user=user)
    with django_assert_num_queries(6):
        many = client.get(reverse("audit-list"))

    assert len(many.context["page"]) - len(few.context["page"]) == 30
