"""The suggestion box on a phone (issue 17 "Done when": works at 390 px for
``employee``): from the home page's card, the employee writes an anonymous
complaint with a photo, gets the receipt code, and follows the case logged
out in another browser; the handler answers in between. Nothing is wider
than the screen and no page logs an error."""
import io
import re

import pytest
from PIL import Image

from suggestions import services
from suggestions.models import Box, Case, Category, Handler
from tests.e2e.conftest import PhoneSession
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def box(secretary, gm):
    Handler.objects.create(box=Box.SUGGESTION, user=secretary, role=Handler.Role.HANDLER)
    Handler.objects.create(box=Box.GM_MAILBOX, user=gm, role=Handler.Role.HANDLER)
    return Category.objects.get_or_create(name="工作环境", defaults={"sort_order": 10})[0]


def test_employee_submits_and_follows_the_case_logged_out(phone, box, employee, secretary, browser, live_server,
                                                          tmp_path):
    picture = tmp_path / "车间.png"
    Image.new("RGB", (1024, 768), (90, 120, 160)).save(picture, "PNG")
    me = phone(employee.username, PASSWORD, "/")
    card = me.page.locator(".suggestion-card a[href='/suggestions/new/']")
    assert card.is_visible()
    me.click_locator(card)

    me.page.check("input[name=kind][value=complaint]")
    me.page.select_option("select[name=category]", str(box.pk))
    me.page.fill("textarea[name=text]", "三号车间夜班照明不足，地面湿滑，已有人摔倒。")
    me.page.set_input_files("input[name=photos]", str(picture))
    me.page.screenshot(path=str(tmp_path / "new.png"), full_page=True)
    me.click("main form button[type=submit]")

    code = me.page.locator("[data-receipt-code]").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", code)
    case = Case.objects.get()
    assert not case.signed and case.files.count() == 1
    services.record_finding(case=case, actor=secretary, finding=Case.Finding.FOUNDED,
                            answer="已加装照明并铺设防滑垫。")

    stranger = PhoneSession(browser, live_server.url)
    try:
        stranger.goto("/suggestions/track/")
        stranger.page.fill("input[name=code]", code.lower())
        stranger.click("main form button[type=submit]")
        stranger.page.screenshot(path=str(tmp_path / "receipt.png"), full_page=True)
        text = stranger.page.content()
        assert case.number in text and "已加装照明并铺设防滑垫。" in text and "属实" in text
        stranger.goto("/suggestions/track/")
        stranger.page.fill("input[name=code]", "AAAA-BBBB-CCCC-DDDD")
        stranger.click("main form button[type=submit]")
        assert "没有找到与该回执码对应的事项" in stranger.page.content()
        assert not stranger.problems, stranger.problems
    finally:
        stranger.close()


def test_handler_works_the_case_on_a_phone(phone, box, employee, secretary, market):
    case, _code = services.submit_case(actor=employee, box=Box.SUGGESTION, kind="suggestion", category=box,
                                       text="建议食堂增加素食窗口。", signed=True, contact_allowed=True)
    desk = phone(secretary.username, PASSWORD, "/suggestions/")
    desk.click_locator(desk.page.get_by_role("link", name=case.number))
    assert "陈员工" in desk.page.content()  # the handler sees who signed
    desk.page.select_option("form[action$='/assign'] select[name=unit]", str(market.pk))
    desk.click("form[action$='/assign'] button[type=submit]")
    assert "已分派。" in desk.page.content()
    desk.goto("/suggestions/statistics/")
    assert "<svg" in desk.page.content()
