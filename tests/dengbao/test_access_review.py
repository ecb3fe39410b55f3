"""The periodic access review (issue 18 item 3): the snapshot per user, the
difference from the last signed review, one review per period, the
secretariat's sign-off, the escalation of an unsigned review through the
sweep, and the pages (who reads, who signs, search, pagination, workbook)."""
import datetime as dt
import io
import threading

import openpyxl
import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from dengbao import access_review
from dengbao.models import AccessReview, AccessReviewRow, AccessReviewRun, AdminDuty
from infoflow.models import Confidentiality, Delegation
from infoflow.permissions import sync_item_grants
from liaison import sweeps
from liaison.models import AuditEntry, Notification
from tests.factories import OfficerFactory, OrgUnitFactory, RoleFactory, UserFactory
from tests.infoflow.export_helpers import make_item

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
Q4 = dt.datetime(2026, 10, 1, 9, 0, tzinfo=TZ)  # Thursday, a review period's first day (3-month periods)
Q1 = dt.datetime(2027, 1, 4, 9, 0, tzinfo=TZ)  # Monday


def local(*args):
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture(autouse=True)
def quarterly(settings):
    settings.ACCESS_REVIEW_MONTHS = 3
    settings.ACCESS_REVIEW_SIGN_DAYS = 5
    settings.TIME_ZONE = "Asia/Shanghai"
    settings.ARCHIVE_SEAL_KEY = "test-archive-seal-key-0123456789"


@pytest.fixture
def org(db):
    unit = OrgUnitFactory(code="mk", name="市场部", number_prefix="MK")
    secretary = UserFactory(username="sec", first_name="秘书")
    RoleFactory(user=secretary, role="secretariat")
    officer = OfficerFactory(unit=unit, user__username="off", user__first_name="联络员").user
    head = UserFactory(username="boss", first_name="部长")
    unit.head = head
    unit.save()
    auditor = UserFactory(username="aud", first_name="审计")
    RoleFactory(user=auditor, role="supervision")
    secadmin = UserFactory(username="secadm", first_name="安管", is_staff=True)
    AdminDuty.objects.create(user=secadmin, duty=AdminDuty.Duty.SECURITY)
    plain = UserFactory(username="plain", first_name="员工")
    return {"unit": unit, "secretary": secretary, "officer": officer, "head": head, "auditor": auditor,
            "secadmin": secadmin, "plain": plain}


def restricted_item(org, number="MK-2026-00001"):
    item = make_item(unit=org["unit"], initiator=org["officer"], number=number, subject="限定QZSECRET",
                     confidentiality=Confidentiality.RESTRICTED)
    sync_item_grants(item)
    return item


def row_of(review, username):
    return review.rows.get(username=username)


# --- periods ------------------------------------------------------------------------


@pytest.mark.parametrize("months,day,expected", [
    (3, dt.date(2026, 11, 30), ("2026-10", dt.date(2026, 10, 1), dt.date(2026, 12, 31))),
    (3, dt.date(2026, 1, 1), ("2026-01", dt.date(2026, 1, 1), dt.date(2026, 3, 31))),
    (6, dt.date(2026, 6, 30), ("2026-01", dt.date(2026, 1, 1), dt.date(2026, 6, 30))),
    (1, dt.date(2026, 2, 14), ("2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28))),
    (12, dt.date(2026, 12, 31), ("2026-01", dt.date(2026, 1, 1), dt.date(2026, 12, 31))),
])
def test_period_of_tiles_the_year_from_january(months, day, expected):
    assert access_review.period_of(day, months) == expected


def test_a_period_length_that_does_not_tile_the_year_is_refused_at_start_up(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from liaison.settings import _review_months, _setting

    monkeypatch.setenv("LIAISON_ACCESS_REVIEW_MONTHS", "5")
    with pytest.raises(ImproperlyConfigured):
        _setting("LIAISON_ACCESS_REVIEW_MONTHS", _review_months, 3, "1, 2, 3, 4, 6 or 12")


# --- the snapshot -------------------------------------------------------------------


def test_the_snapshot_names_roles_units_restricted_items_permissions_and_delegations(org):
    item = restricted_item(org)
    group = Group.objects.create(name="档案查阅组")
    group.permissions.add(Permission.objects.get(codename="view_orgunit"))
    org["officer"].groups.add(group)
    org["officer"].user_permissions.add(Permission.objects.get(codename="view_externalunit"))
    with time_machine.travel(Q4, tick=False):
        Delegation.objects.create(principal=org["officer"], deputy=org["plain"], start=Q4 - dt.timedelta(days=1),
                                  end=Q4 + dt.timedelta(days=3), created_by=org["officer"])
        rows = {r["username"]: r["data"] for r in access_review.snapshot()}

    officer = rows["off"]
    assert "officer" in officer["roles"]
    assert f"officer:{org['unit'].pk}:市场部" in officer["units"]
    assert officer["restricted"] == [f"{item.pk}:MK-2026-00001"]
    assert officer["groups"] == ["档案查阅组"]
    assert {"officers.view_orgunit", "officers.view_externalunit"} <= set(officer["perms"])
    assert officer["object_counts"].get("infoflow.view_item") == 1
    assert "obj:infoflow.view_item" in officer["perms"]
    assert officer["delegations"] and "员工" in officer["delegations"][0]
    # The deputy sees what the principal sees on their path, while the delegation lasts.
    assert rows["plain"]["restricted"] == [f"{item.pk}:MK-2026-00001"]
    assert rows["boss"]["roles"] == ["head"] and rows["boss"]["restricted"] == []  # restricted: path only
    assert "secretariat" in rows["sec"]["roles"] and rows["sec"]["restricted"] == []
    assert "duty:security" in rows["secadm"]["roles"] and "staff" in rows["secadm"]["roles"]


def test_inactive_users_are_not_in_the_snapshot(org):
    org["plain"].is_active = False
    org["plain"].save()
    assert "plain" not in {r["username"] for r in access_review.snapshot()}


# --- generation, diff, sign-off -----------------------------------------------------


def generate(at, actor=None):
    with time_machine.travel(at, tick=False):
        return access_review.generate_review(actor=actor)


def sign(review, actor, at=None):
    with time_machine.travel(at or review.generated_at + dt.timedelta(hours=1), tick=False):
        return access_review.sign_review(actor=actor, review=review, note="已核对")


def test_the_first_review_has_no_baseline_and_marks_no_change(org):
    review = generate(Q4)

    assert review.period == "2026-10" and review.baseline is None
    assert review.user_count == 6 and review.changed_count == 0
    assert set(review.rows.values_list("change", flat=True)) == {"same"}


def test_differences_from_the_last_signed_review_are_marked(org):
    first = generate(Q4)
    sign(first, org["secretary"])
    item = restricted_item(org)  # the officer gains a restricted item
    RoleFactory(user=org["plain"], role="legal")  # gained role
    org["head"].roles.all().delete()
    org["unit"].head = None  # the head loses the unit role
    org["unit"].save()
    org["auditor"].user_permissions.add(Permission.objects.get(codename="view_orgunit"))  # permission added
    newcomer = UserFactory(username="newbie", first_name="新人")
    org["secadmin"].is_active = False  # removed user
    org["secadmin"].save()

    second = generate(Q1)

    assert second.baseline == first
    assert row_of(second, "newbie").change == "new" and row_of(second, "newbie").user == newcomer
    removed = row_of(second, "secadm")
    assert removed.change == "removed" and "duty:security" in removed.changes["roles_removed"]
    plain = row_of(second, "plain")
    assert plain.change == "changed" and plain.changes["roles_added"] == ["legal"]
    boss = row_of(second, "boss")
    assert boss.changes["roles_removed"] == ["head"] and boss.changes["units_removed"]
    officer = row_of(second, "off")
    assert officer.changes["restricted_added"] == [f"{item.pk}:MK-2026-00001"]
    assert "obj:infoflow.view_item" in officer.changes["perms_added"]
    assert row_of(second, "aud").changes == {"perms_added": ["officers.view_orgunit"]}
    assert row_of(second, "sec").change == "same"
    assert second.changed_count == 6
    # Shown in words, restricted items by number only.
    texts = dict(access_review.changes_text(officer.changes))
    assert texts["新增可见的限定范围信息"] == ["MK-2026-00001"]


def test_an_unsigned_review_is_not_the_baseline(org):
    generate(Q4)  # never signed
    RoleFactory(user=org["plain"], role="legal")

    second = generate(Q1)

    assert second.baseline is None and second.changed_count == 0


def test_lost_restricted_access_and_removed_permission_are_marked(org):
    item = restricted_item(org)
    org["auditor"].user_permissions.add(Permission.objects.get(codename="view_orgunit"))
    first = generate(Q4)
    sign(first, org["secretary"])
    item.confidentiality = Confidentiality.INTERNAL
    item.save()
    org["auditor"].user_permissions.clear()

    second = generate(Q1)

    assert row_of(second, "off").changes["restricted_removed"] == [f"{item.pk}:MK-2026-00001"]
    assert row_of(second, "aud").changes["perms_removed"] == ["officers.view_orgunit"]


def test_one_review_per_period(org):
    generate(Q4)
    with pytest.raises(ValidationError, match="每期只生成一次"):
        generate(Q4 + dt.timedelta(days=20), actor=org["secretary"])
    assert AccessReview.objects.count() == 1


def test_the_auditor_and_an_officer_may_not_generate(org):
    for user in (org["auditor"], org["officer"]):
        with pytest.raises(PermissionDenied):
            generate(Q4, actor=user)
    assert AccessReview.objects.count() == 0


def test_generation_tells_the_secretariat_and_audits(org):
    review = generate(Q4, actor=org["secadmin"])

    notice = Notification.objects.get(key="dengbao:review:%d:ready" % review.pk)
    assert notice.recipient == org["secretary"] and "2026-10" in notice.subject
    assert "QZSECRET" not in notice.body
    assert AuditEntry.objects.filter(object_id=str(review.pk), detail__contains="generated").exists()


def test_only_the_secretariat_signs_and_only_once(org):
    review = generate(Q4)
    for user in (org["auditor"], org["secadmin"], org["officer"]):
        with pytest.raises(PermissionDenied):
            sign(review, user)

    signed = sign(review, org["secretary"])

    assert signed.signed_by == org["secretary"] and signed.sign_note == "已核对"
    assert signed.notice_at == sweeps.NEVER
    assert signed.history.filter(history_change_reason="sign").count() == 1
    assert AuditEntry.objects.filter(object_id=str(review.pk), detail__contains="signed").count() == 1
    with pytest.raises(ValidationError, match="已由 秘书"):
        sign(review, org["secretary"])


# --- the sweeps ---------------------------------------------------------------------


def test_the_sweep_generates_at_the_period_start_once(org):
    AccessReviewRun.objects.update_or_create(pk=1, defaults={"notice_at": local(2026, 10, 1, 0, 0)})
    sweeps.run(now=local(2026, 9, 30, 23, 59))
    assert AccessReview.objects.count() == 0

    sweeps.run(now=local(2026, 10, 1, 0, 1))
    sweeps.run(now=local(2026, 10, 1, 0, 2))

    review = AccessReview.objects.get()
    assert review.period == "2026-10" and review.generated_by is None
    assert AccessReviewRun.objects.get().notice_at == local(2027, 1, 1, 0, 0)
    assert Notification.objects.filter(key="dengbao:review:%d:ready" % review.pk).count() == 1


def test_the_sweep_leaves_a_review_made_by_the_button(org):
    AccessReviewRun.objects.update_or_create(pk=1, defaults={"notice_at": local(2026, 10, 1, 0, 0)})
    generate(local(2026, 9, 30, 23, 0) + dt.timedelta(hours=2), actor=org["secretary"])  # 10-01 01:00

    sweeps.run(now=local(2026, 10, 1, 2, 0))

    assert AccessReview.objects.count() == 1
    assert AccessReviewRun.objects.get().notice_at == local(2027, 1, 1, 0, 0)


def test_an_unsigned_review_is_escalated_once_after_the_working_days(org):
    AccessReviewRun.objects.update_or_create(pk=1, defaults={"notice_at": sweeps.NEVER})
    lead = UserFactory(username="lead")
    RoleFactory(user=lead, role="secretariat_lead")
    review = generate(Q4)  # Thursday 2026-10-01 09:00 (National Day week: a plain calendar counts weekdays)
    key = "dengbao:review:%d:overdue" % review.pk

    sweeps.run(now=review.due_at - dt.timedelta(minutes=1))
    assert not Notification.objects.filter(key=key).exists()

    # The sweep was down for an hour past the deadline: one escalation, not one per minute.
    sweeps.run(now=review.due_at + dt.timedelta(hours=1))
    sweeps.run(now=review.due_at + dt.timedelta(hours=1, minutes=1))

    told = set(Notification.objects.filter(key=key).values_list("recipient__username", flat=True))
    assert told == {"sec", "lead", "secadm"}
    assert Notification.objects.filter(key=key).count() == 3
    review.refresh_from_db()
    assert review.escalated_at is not None and review.notice_at == sweeps.NEVER


def test_a_review_signed_in_time_is_not_escalated(org):
    AccessReviewRun.objects.update_or_create(pk=1, defaults={"notice_at": sweeps.NEVER})
    review = generate(Q4)
    sign(review, org["secretary"])

    sweeps.run(now=review.due_at + dt.timedelta(days=2))

    assert not Notification.objects.filter(key__endswith=":overdue").exists()


def test_the_deadline_counts_working_days(org):
    from liaison.workdays import add_working_days

    review = generate(Q4)
    assert review.due_at == add_working_days(Q4, 5)
    assert review.due_at > Q4 + dt.timedelta(days=5)  # a weekend at least lies between


# --- races --------------------------------------------------------------------------


def _race(func, args):
    barrier = threading.Barrier(len(args))
    outcomes = []

    def run(arg):
        try:
            barrier.wait()
            func(arg)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in args]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_secretaries_signing_at_once_sign_once():
    secretaries = [UserFactory(username="s1"), UserFactory(username="s2")]
    for user in secretaries:
        RoleFactory(user=user, role="secretariat")
    review = access_review.generate_review(actor=secretaries[0])

    outcomes = _race(lambda user: access_review.sign_review(actor=user, review=review), secretaries)

    assert outcomes == ["ok", "refused"]
    assert review.history.filter(history_change_reason="sign").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_buttons_at_once_make_one_review():
    secretaries = [UserFactory(username="s1"), UserFactory(username="s2")]
    for user in secretaries:
        RoleFactory(user=user, role="secretariat")

    outcomes = _race(lambda user: access_review.generate_review(actor=user), secretaries)

    assert outcomes == ["ok", "refused"]
    assert AccessReview.objects.count() == 1


# --- the pages ----------------------------------------------------------------------


def test_who_reads_the_reviews(org, client):
    review = generate(Q4)
    for name, code in (("secretary", 200), ("auditor", 200), ("secadmin", 200), ("officer", 404), ("head", 404),
                       ("plain", 404)):
        client.force_login(org[name])
        for url in ("/security/access-reviews/", f"/security/access-reviews/{review.pk}/",
                    f"/security/access-reviews/{review.pk}/xlsx/"):
            assert client.get(url).status_code == code, (name, url)


def test_the_review_page_searches_by_user_and_highlights_changes(org, client):
    first = generate(Q4)
    sign(first, org["secretary"])
    RoleFactory(user=org["plain"], role="legal")
    second = generate(Q1)
    client.force_login(org["auditor"])

    page = client.get(f"/security/access-reviews/{second.pk}/").content.decode()
    assert "<mark>权限有变化</mark>" in page and "新增角色" in page and "法务" in page

    found = client.get(f"/security/access-reviews/{second.pk}/?q=员工").content.decode()
    assert "（plain）" in found and "（off）" not in found
    only = client.get(f"/security/access-reviews/{second.pk}/?change=diff").content.decode()
    assert "（plain）" in only and "（sec）" not in only


def test_the_review_page_runs_a_fixed_number_of_queries(org, client, django_assert_max_num_queries):
    for n in range(60):
        UserFactory(username=f"u{n:03d}")
    review = generate(Q4)
    client.force_login(org["secretary"])
    with django_assert_max_num_queries(15):  # 15: the permissions' names, one query
        response = client.get(f"/security/access-reviews/{review.pk}/")
    assert response.status_code == 200
    assert "第 1 / 2 页" in response.content.decode()
    with django_assert_max_num_queries(15):  # 15: the permissions' names, one query
        assert client.get(f"/security/access-reviews/{review.pk}/?page=2").status_code == 200


def test_only_the_secretariat_sees_the_sign_button_and_signs(org, client):
    review = generate(Q4)
    url = f"/security/access-reviews/{review.pk}/sign/"
    for name in ("auditor", "secadmin"):
        client.force_login(org[name])
        assert "签核</a>" not in client.get(f"/security/access-reviews/{review.pk}/").content.decode()
        assert client.get(url).status_code == 403
        assert client.post(url).status_code == 403
    client.force_login(org["officer"])
    assert client.post(url).status_code == 404

    client.force_login(org["secretary"])
    assert "确认签核" in client.get(url).content.decode()  # the confirm step
    response = client.post(url, {"note": "无多余权限"}, follow=True)
    assert "已签核" in response.content.decode()
    review.refresh_from_db()
    assert review.signed_by == org["secretary"] and review.sign_note == "无多余权限"
    again = client.post(url, follow=True).content.decode()
    assert "无需再次签核" in again


def test_the_generate_button(org, client):
    client.force_login(org["auditor"])
    assert "生成本期复核" not in client.get("/security/access-reviews/").content.decode()
    assert client.post("/security/access-reviews/").status_code == 403

    client.force_login(org["secretary"])
    with time_machine.travel(Q4, tick=False):
        response = client.post("/security/access-reviews/")
        review = AccessReview.objects.get()
        assert response["Location"] == f"/security/access-reviews/{review.pk}/"
        again = client.post("/security/access-reviews/", follow=True).content.decode()
    assert "每期只生成一次" in again and AccessReview.objects.count() == 1


def test_the_workbook_carries_the_watermark_and_is_audited(org, client):
    restricted_item(org)
    review = generate(Q4)
    client.force_login(org["auditor"])

    response = client.get(f"/security/access-reviews/{review.pk}/xlsx/")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert "审计（aud）" in sheet.oddHeader.right.text and "内部资料" in sheet.oddHeader.left.text
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert "off" in values and "MK-2026-00001" in values and not any("QZSECRET" in str(v) for v in values)
    assert AuditEntry.objects.filter(action="export", object_id=str(review.pk), user=org["auditor"]).exists()


def test_the_incident_register_is_linked_only_when_installed(org, client, monkeypatch):
    from dengbao import views_review

    client.force_login(org["secretary"])
    monkeypatch.setattr(views_review, "incident_register_url", lambda: "")
    assert "安全事件登记" not in client.get("/security/access-reviews/").content.decode()
    monkeypatch.setattr(views_review, "incident_register_url", lambda: "/incidents/")
    assert 'href="/incidents/"' in client.get("/security/access-reviews/").content.decode()


def test_the_menu_links_the_reviews_for_the_secretariat_and_the_auditor(org, client):
    for name, shown in (("secretary", True), ("auditor", True), ("officer", False)):
        client.force_login(org[name])
        assert ('href="/security/access-reviews/"' in client.get("/").content.decode()) is shown, name
    client.force_login(org["secadmin"])  # a duty, not a role: reached from the second factor's page
    assert 'href="/security/access-reviews/"' in client.get("/security/otp/").content.decode()


def test_rows_of_a_removed_user_keep_their_last_known_rights(org):
    first = generate(Q4)
    sign(first, org["secretary"])
    org["officer"].is_active = False
    org["officer"].save()

    second = generate(Q1)

    removed = row_of(second, "off")
    assert removed.change == AccessReviewRow.Change.REMOVED and "officer" in removed.data["roles"]
    assert second.user_count == 5


def test_the_demo_makes_a_signed_and_a_pending_review_once(org):
    from dengbao import demo

    org["secretary"].username = "secretary"
    org["secretary"].save()
    with time_machine.travel(local(2026, 11, 30, 10, 0), tick=False):
        assert demo.seed() == 2
        assert demo.seed() == 0

    previous, current = AccessReview.objects.order_by("period_start")
    assert (previous.period, current.period) == ("2026-07", "2026-10")
    assert previous.signed_by == org["secretary"] and current.baseline == previous and not current.is_signed


def test_the_incident_register_url_follows_the_installed_app():
    from django.apps import apps
    from django.urls import reverse

    from dengbao.views_review import incident_register_url

    expected = reverse("incidents:list") if apps.is_installed("incidents") else ""
    assert incident_register_url() == expected


def test_permissions_are_shown_by_name_not_by_code(org, client):
    """The page and the workbook showed "infoflow.view_item" (English codes on a
    Chinese page); they show the action and the model, or a custom permission's name."""
    restricted_item(org)
    org["auditor"].user_permissions.add(Permission.objects.get(codename="view_orgunit"))
    review = generate(Q4)
    client.force_login(org["secretary"])

    page = client.get(f"/security/access-reviews/{review.pk}/").content.decode()
    response = client.get(f"/security/access-reviews/{review.pk}/xlsx/")

    assert "对象权限 查看信息 × 1" in page and "查看组织单位" in page
    assert "infoflow.view_item" not in page and "officers.view_orgunit" not in page
    values = " ".join(str(c) for row in openpyxl.load_workbook(io.BytesIO(response.content)).active
                      .iter_rows(values_only=True) for c in row if c)
    assert "查看信息×1" in values and "infoflow.view_item" not in values
    assert access_review.readable("perms_added", "obj:gone.view_nothing") == "对象权限 gone.view_nothing"
