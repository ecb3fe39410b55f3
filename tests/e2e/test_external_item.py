"""Issue 4, done-when: one external item from draft through the head's and
the leader's approval, transmission and the answers to done, in a real
browser at 390×844, logging in as each person. The fixture ``phone`` fails
the test on any console error, page error or page wider than the screen."""
import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from infoflow.models import Item
from tests.e2e.pickers import pick
from tests.factories import PASSWORD, ExternalContactFactory, ExternalUnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def default_routes(transactional_db):
    # A transactional test before this one may have flushed the rows the
    # data migration created; put them back (the function skips existing rows).
    importlib.import_module("infoflow.migrations.0003_default_routes").create_defaults(apps, None)


@pytest.fixture
def customer(transactional_db):
    contact = ExternalContactFactory(external_unit=ExternalUnitFactory(name="华东客户有限公司"), name="陈经理")
    return contact


def test_external_item_walks_from_draft_to_done(
    phone, default_routes, customer, officer_market, head_market, leader, officer_prod
):
    feedback_at = timezone.localtime() + timedelta(days=10)

    # The market officer drafts an external letter to a customer, copied to production.
    officer = phone("officer_market", PASSWORD, "/items/new/")
    page = officer.page
    page.fill("input[name=subject]", "关于华东客户交货期调整的函")
    page.fill("textarea[name=summary]", "请生产部确认 10 月批次能否提前一周交货，并于下周五前答复。")
    with page.expect_response(re.compile(r"/items/route-preview/")):
        page.select_option("select[name=direction]", "external")
    page.wait_for_function(
        "document.querySelector('#route-preview').textContent.includes('李四')"
    )
    preview = page.inner_text("#route-preview")
    assert "部门负责人" in preview and "王五" in preview and "分管领导" in preview and "李四" in preview
    with page.expect_response(re.compile(r"/items/route-preview/")):
        pick(page, "receiver_units", "生产", "生产部")
    pick(page, "receiver_contacts", "陈经理", "华东客户有限公司 · 陈经理")
    page.check("input[name=transmission_methods][value=email]")
    page.fill("input[name=expected_feedback_at]", feedback_at.strftime("%Y-%m-%dT%H:%M"))
    officer.click("button[name=submit]")
    assert "NX-" in page.inner_text("h1")
    item = Item.objects.get(subject="关于华东客户交货期调整的函")
    assert item.state == Item.State.IN_REVIEW
    detail = f"/items/{item.pk}/"

    # The head, then the leader, approve from their review inbox.
    for username, opinion in (("head_market", "同意，请分管领导审定。"), ("leader", "同意发出。")):
        reviewer = phone(username, PASSWORD, "/items/reviews/")
        assert item.number in reviewer.page.inner_text("main")
        reviewer.click(f"a[href='/items/{item.pk}/steps/{item.steps.filter(state='open').get().pk}/review/']")
        reviewer.page.fill("textarea[name=opinion]", opinion)
        reviewer.click("button[name=approve]")
        expected = "进入下一环节“分管领导”" if username == "head_market" else "审核通过，信息 %s 等待发起部门传递给接收方。" % item.number
        assert expected in reviewer.page.inner_text(".messages")
    item.refresh_from_db()
    assert item.state == Item.State.APPROVED

    # The officer transmits it, then records the customer's receipt and answer.
    officer.goto(detail)
    officer.click(f"a[href='{detail}transmit/']")
    officer.page.fill("textarea[name=note]", "已发送邮件至陈经理。")
    officer.click("main form button[type=submit]")
    customer_row = officer.page.locator("tr", has_text="华东客户有限公司")
    officer.click_locator(customer_row.locator("td.actions button", has_text="签收"))
    officer.click_locator(officer.page.locator("tr", has_text="华东客户有限公司").locator("td.actions a", has_text="反馈"))
    officer.page.fill("textarea[name=result]", "客户同意调整后的交货期。")
    officer.click("main form button[type=submit]")
    item.refresh_from_db()
    assert item.state == Item.State.TRANSMITTED

    # Production's officer acknowledges and answers from the receiver inbox: the item is done.
    production = phone("officer_prod", PASSWORD, "/items/received/")
    assert item.number in production.page.inner_text("main")
    production.click_locator(production.page.locator("td.actions button", has_text="签收").first)
    production.click_locator(production.page.locator("td.actions a", has_text="反馈").first)
    production.page.fill("textarea[name=result]", "可以提前一周交货。")
    production.page.fill("textarea[name=next_steps]", "已安排加班生产。")
    production.click("main form button[type=submit]")
    assert "已办结" in production.page.inner_text("main")

    item.refresh_from_db()
    assert item.state == Item.State.COMPLETED
    # The whole story is on the item page, for the initiator too.
    officer.goto(detail)
    # A long story is folded (issue 15): the reader opens it with one tap on its summary.
    fold = officer.page.locator("details.timeline-fold")
    if fold.get_attribute("open") is None:
        fold.locator("summary").click()
    story = officer.page.inner_text("ol.timeline")
    for expected in ("同意，请分管领导审定。", "同意发出。", "可以提前一周交货。", "客户同意调整后的交货期。"):
        assert expected in story
    assert len(officer.visited) >= 8
    # The home page with the item cards, on the phone as well.
    production.goto("/")
    assert "待我签收和反馈" in production.page.inner_text("main")
