"""Issue 15 §8–§9 at 390 px: an officer prints an item (the printable page fits
the phone, on screen and as print media, and carries every opinion with name
and time; the PDF link gives a PDF) and names a deputy with the searchable
picker (typing filters, options are grouped by unit, oneself is not offered)."""
import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from infoflow.models import Delegation
from infoflow.services.chain import approve_step, return_step, submit_item
from infoflow.services.drafting import create_item
from officers.models import OrgUnit
from tests.e2e.conftest import VIEWPORT
from tests.e2e.pickers import pick
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPINIONS = ("请补充交货期限，退回修改。", "已补充，同意报送。", "同意，请按时反馈客户。")


@pytest.fixture
def reviewed_item(transactional_db, officer_market, head_market, leader, market, prod):
    importlib.import_module("infoflow.migrations.0003_default_routes").create_defaults(apps, None)
    item = create_item(actor=officer_market, unit=market, fields={
        "subject": "关于华东客户交货期调整的函", "summary": "请确认 10 月批次能否提前一周交货。",
        "direction": "external", "expected_feedback_at": timezone.now() + dt.timedelta(days=10),
    }, receivers=[{"kind": "unit", "unit": OrgUnit.objects.get(code="prod")}])
    item = submit_item(item=item, actor=officer_market)
    return_step(step=item.steps.get(state="open"), actor=head_market, opinion=OPINIONS[0])
    item = submit_item(item=item, actor=officer_market)
    approve_step(step=item.steps.get(state="open"), actor=head_market, opinion=OPINIONS[1])
    approve_step(step=item.steps.get(state="open"), actor=leader, opinion=OPINIONS[2])
    item.refresh_from_db()
    return item


def test_print_an_item_and_pick_a_deputy_on_a_phone(phone, reviewed_item, officer_market, head_market, employee):
    officer = phone(officer_market.username, PASSWORD, "/items/%d/" % reviewed_item.pk)
    page = officer.page

    officer.click_locator(page.locator(".item-actions a", has_text="打印/PDF"))
    assert page.url.endswith("/items/%d/print/" % reviewed_item.pk)
    text = page.inner_text("main")
    assert "信息交流记录表" in text and reviewed_item.number in text
    for opinion in OPINIONS:
        assert opinion in text
    assert "王五" in text and "李四" in text
    page.emulate_media(media="print")
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    assert not page.locator(".print-toolbar").is_visible()  # the buttons do not print
    page.emulate_media(media="screen")
    pdf = page.request.get(officer.base_url + page.locator("a", has_text="下载 PDF").get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:5] == b"%PDF-"

    officer.goto("/items/delegations/")
    groups = pick(page, "deputy", "陈", "陈员工")
    assert employee.profile.unit.name in groups  # options are grouped by unit
    page.locator("select[name=deputy] + .ts-wrapper .ts-control").click()
    page.keyboard.type("张三")
    assert page.locator("select[name=deputy] + .ts-wrapper .ts-dropdown .option", has_text="张三").count() == 0
    page.locator("select[name=deputy]").evaluate("s => { s.tomselect.setTextboxValue(''); s.tomselect.close(); }")
    start = timezone.localtime() + dt.timedelta(hours=1)
    page.fill("input[name=start]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=end]", (start + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    officer.click("main form button[type=submit]")
    assert Delegation.objects.get(principal=officer_market).deputy == employee
