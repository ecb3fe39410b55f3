"""The incident register and a report to leaders on a 390 px phone (issue 19 §6-7): an officer reports an
incident through the form, the secretary assigns herself, records a measure and closes it after the
confirm page; the named leader reads the month's report. Nothing is wider than the screen and no page
logs an error (tests/e2e's phone sessions)."""
import datetime as dt

import pytest

from incidents.models import Incident
from reports import services as report_services
from reports.models import Recipient
from tests.e2e.conftest import CHROMIUM, browser, phone, plain_http  # noqa: F401  (fixtures)
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")]


@pytest.fixture
def severity(db):
    from incidents.models import Severity

    return Severity.objects.get_or_create(code="general", defaults={"name": "一般（Ⅳ级）"})[0]


def test_report_handle_and_close_an_incident_on_a_phone(phone, severity, officer_market, secretary, auditor,
                                                       tmp_path):
    officer = phone(officer_market.username, PASSWORD, "/incidents/new/")
    officer.page.fill("input[name=title]", "客户名单误发至外部邮箱，涉及三十六家重点客户的联系人和电话号码")
    officer.page.fill("textarea[name=description]", "发送季度汇总时收件人地址被自动补全为外部邮箱。" * 3)
    officer.page.fill("input[name=found_at]", (dt.datetime.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    officer.page.select_option("select[name=severity]", str(severity.pk))
    officer.click("main form button[type=submit]")
    incident = Incident.objects.get()
    assert incident.number in officer.page.content()

    desk = phone(secretary.username, PASSWORD, "/incidents/%d/" % incident.pk)
    desk.page.fill("textarea[name=text]", "已联系对方删除邮件，关闭外部地址自动补全。")
    desk.click("form[action$='/entry'] button[type=submit]")
    assert "已添加处置记录" in desk.page.content()
    desk.page.screenshot(path=str(tmp_path / "incident.png"), full_page=True)
    desk.click_locator(desk.page.get_by_role("button", name="结案", exact=True))
    desk.page.fill("textarea[name=conclusion]", "误操作所致，已整改。")
    desk.click("main form button[type=submit]")
    assert Incident.objects.get().state == Incident.State.CLOSED
    desk.goto("/incidents/")
    search, form = (desk.page.locator(s).bounding_box() for s in ("form.filters input[name=q]", "form.filters"))
    assert search["width"] >= form["width"] - 1  # the search box takes the whole row on a phone, not half of it


def test_a_leader_reads_the_report_on_a_phone(phone, leader, secretary, market, officer_market, tmp_path):
    Recipient.objects.create(user=leader)
    report = report_services.generate_report(kind="monthly", period_label="2026-03", actor=secretary)

    reader = phone(leader.username, PASSWORD, "/reports/")
    reader.click_locator(reader.page.get_by_role("link", name=report.title))
    assert "各部门按时率" in reader.page.content()
    reader.page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
