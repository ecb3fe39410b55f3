"""The nightly directory sync reports to HR and changes nobody; a person
disabled in the directory loses their open steps like any inactive user
(issue 20 §1), against the real slapd."""
import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from directory.models import ExternalAccount, SyncReport
from directory.sync import run_sync
from directory.tasks import sync_directory_nightly
from infoflow.models import Item, StepAssignee
from infoflow.services.chain import open_step, submit_item
from infoflow.services.drafting import create_item
from liaison.models import Notification
from officers.models import RoleAssignment
from tests.directory.slapd import PASSWORD, PEOPLE
from tests.factories import OrgUnitFactory, RoleFactory, UserFactory
from tests.infoflow.conftest import default_routes, frozen  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(db):
    user = UserFactory(username="hr_zhou", first_name="周人事")
    RoleFactory(user=user, role=RoleAssignment.Role.HR_ADMIN)
    return user


@pytest.fixture
def known(directory):
    """Our side: zhangsan as the directory has him but a different phone;
    wangwu identical; lisi (disabled there) still active; a linked person the
    directory no longer has; zhaoliu not yet here."""
    market = OrgUnitFactory(name="市场部", code="MKT")
    zhang = UserFactory(username="zhangsan", first_name="张三", email="zhangsan@example.cn",
                        profile__phone="13900000000", profile__unit=market)
    wang = UserFactory(username="wangwu", first_name="王五", email="wangwu@example.cn", profile__phone="13800000003",
                       profile__unit=market)
    lisi = UserFactory(username="lisi", first_name="李四")
    gone = UserFactory(username="qianqi", first_name="钱七")
    ExternalAccount.objects.create(user=gone, source="ldap", external_id=f"uid=qianqi,{PEOPLE}")
    return {"zhang": zhang, "wang": wang, "lisi": lisi, "gone": gone}


def test_sync_reports_new_changed_missing_disabled_and_changes_nobody(known, hr):
    report = run_sync()

    kinds = {(r["kind"], r["username"]) for r in report.rows}
    assert kinds == {("new", "zhaoliu"), ("changed", "zhangsan"), ("disabled", "lisi"), ("missing", "qianqi")}
    changed = next(r for r in report.rows if r["kind"] == "changed")
    assert changed["changes"] == {"phone": ["13900000000", "13800000001"]}
    assert (report.new_count, report.changed_count, report.missing_count, report.disabled_count) == (1, 1, 1, 1)
    known["zhang"].profile.refresh_from_db()
    assert known["zhang"].profile.phone == "13900000000"
    assert all(u.__class__.objects.get(pk=u.pk).is_active for u in known.values())
    told = Notification.objects.get(recipient=hr)
    assert told.url == reverse("directory:report", args=[report.pk]) and "4" in told.subject


def test_second_sync_writes_a_second_report_and_a_second_notice(known, hr):
    first, second = run_sync(), run_sync()

    assert first.pk != second.pk
    assert Notification.objects.filter(recipient=hr).count() == 2


def test_directory_down_is_a_report_with_the_error(directory, settings, hr):
    settings.DIRECTORY_LDAP = {**settings.DIRECTORY_LDAP, "URI": "ldap://127.0.0.1:1", "TIMEOUT": 1}

    report = run_sync()

    assert report.error and report.rows == []
    assert not Notification.objects.exists()


def test_command_and_beat_task_run_the_same_sync(known, capsys):
    call_command("sync_directory")
    pk = sync_directory_nightly()

    out = capsys.readouterr().out
    assert "new\tzhaoliu" in out and "1 new, 1 changed, 1 missing, 1 disabled" in out
    assert SyncReport.objects.count() == 2 and SyncReport.objects.filter(pk=pk).exists()


def test_beat_task_does_nothing_without_a_directory(settings, db):
    settings.DIRECTORY_LDAP = {**settings.DIRECTORY_LDAP, "URI": ""}

    assert sync_directory_nightly() is None
    assert not SyncReport.objects.exists()


def test_hr_reads_the_report_and_switches_a_missing_person_off(known, hr, client):
    report = run_sync()
    client.force_login(hr)

    page = client.get(reverse("directory:report", args=[report.pk]))
    done = client.post(reverse("directory:report-deactivate", args=[report.pk, known["gone"].pk]))
    reviewed = client.post(reverse("directory:report-reviewed", args=[report.pk]))

    assert page.status_code == 200 and "钱七" in page.content.decode() and "停用账号" in page.content.decode()
    assert done.status_code == 302 and reviewed.status_code == 302
    known["gone"].refresh_from_db()
    assert not known["gone"].is_active
    report.refresh_from_db()
    assert report.reviewed_by == hr and report.history.filter(history_change_reason="reviewed").exists()


def test_hr_cannot_switch_off_someone_the_report_does_not_list(known, hr, client):
    report = run_sync()
    client.force_login(hr)

    client.post(reverse("directory:report-deactivate", args=[report.pk, known["wang"].pk]))

    known["wang"].refresh_from_db()
    assert known["wang"].is_active


def test_others_get_404_for_reports(known, client):
    report = run_sync()
    client.force_login(known["wang"])

    assert client.get(reverse("directory:reports")).status_code == 404
    assert client.get(reverse("directory:report", args=[report.pk])).status_code == 404
    assert client.post(reverse("directory:report-deactivate", args=[report.pk, known["gone"].pk])).status_code == 404
    known["gone"].refresh_from_db()
    assert known["gone"].is_active


def test_report_list_queries_do_not_grow_with_rows(known, hr, client, django_assert_max_num_queries):
    client.force_login(hr)
    run_sync()
    client.get(reverse("directory:reports"))
    with django_assert_max_num_queries(12):
        client.get(reverse("directory:reports"))
    for _ in range(5):
        run_sync()
    with django_assert_max_num_queries(12):
        assert client.get(reverse("directory:reports")).status_code == 200


def test_disabled_head_cannot_log_in_and_their_open_step_passes_on(
        directory, client, frozen, market, prod, officer_market, head_market, leader, secretary):  # noqa: F811
    conn = directory.admin()
    dn = f"uid={head_market.username},{PEOPLE}"
    from ldap import modlist  # optional library (requirements-ldap.txt): the slapd fixture says when it is missing

    conn.add_s(dn, modlist.addModlist({
        "objectClass": [b"inetOrgPerson", b"liaisonAdAccount"], "uid": [head_market.username.encode()],
        "cn": [b"head"], "sn": [b"h"], "userPassword": [PASSWORD.encode()], "userAccountControl": [b"514"]}))
    try:
        item = create_item(actor=officer_market, unit=market, fields={
            "subject": "关于安全检查的报告", "summary": "摘要", "direction": "external",
            "expected_feedback_at": timezone.now() + dt.timedelta(days=10)},
            receivers=[{"kind": "unit", "unit": prod}])
        submit_item(item=item, actor=officer_market)

        response = client.post(reverse("login"), {"username": head_market.username, "password": PASSWORD})

        assert response.status_code == 200
        head_market.refresh_from_db()
        assert not head_market.is_active
        step = open_step(Item.objects.get(pk=item.pk))
        assert StepAssignee.objects.get(step=step, user=head_market).decision == "not_needed"
        assert step.assignees.filter(user=leader, decision="pending").exists()
        assert Notification.objects.filter(recipient=secretary, subject="账号停用，待审核环节已转交").exists()
    finally:
        conn.delete_s(dn)
