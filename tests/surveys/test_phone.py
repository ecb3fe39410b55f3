"""Surveys on a phone (issue 19 "Done when": works at 390 px), in Debian's
Chromium through the e2e fixtures: a member of staff answers logged in, an
external contact through their link without logging in, the secretary reads
the builder and the results. Nothing is wider than the screen and no page
logs an error."""
import pytest

from surveys.models import Recipient, Response
from tests.e2e.conftest import CHROMIUM, VIEWPORT, PhoneSession, browser, phone, plain_http  # noqa: F401
from tests.factories import PASSWORD
from tests.surveys.conftest import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")]


@pytest.fixture
def sent(secretary, employee, contact, market, officer_market):
    from surveys import services

    survey = build(secretary, title="信息传递效果与满意度调查（第四季度，请各部门联络员和负责人认真填写）")
    services.add_recipients(survey=survey, actor=secretary, users=[employee], units=[market], contacts=[contact])
    services.open_survey(survey=survey, actor=secretary)
    return survey


def test_staff_and_an_external_contact_answer_and_the_secretary_reads_on_a_phone(  # noqa: F811
        phone, browser, live_server, sent, employee, contact, secretary, tmp_path):
    staff = phone(employee.username, PASSWORD, "/surveys/mine/")
    staff.click_locator(staff.page.get_by_role("link", name=sent.title))
    staff.page.screenshot(path=str(tmp_path / "answer.png"), full_page=True)
    staff.page.check("input[type=radio] >> nth=0")
    staff.page.locator("fieldset").nth(2).locator("input[value='4']").check()
    staff.click("form.questionnaire button[type=submit]")
    assert "问卷已提交" in staff.page.content()

    outside = PhoneSession(browser, live_server.url)
    try:
        outside.goto("/surveys/t/%s/" % Recipient.objects.get(survey=sent, contact=contact).token)
        outside.page.check("input[type=radio] >> nth=1")
        outside.click("form.questionnaire button[type=submit]")  # the scale is missing: refused, input kept
        assert "此题必答，请选择分数。" in outside.page.content()
        outside.page.locator("fieldset").nth(2).locator("input[value='5']").check()
        outside.page.fill("textarea", "回复很及时。")
        outside.click("form.questionnaire button[type=submit]")
        assert "问卷已提交" in outside.page.content()
        assert not outside.problems, outside.problems
    finally:
        outside.close()

    desk = phone(secretary.username, PASSWORD, "/surveys/%d/" % sent.pk)
    desk.page.screenshot(path=str(tmp_path / "builder.png"), full_page=True)
    desk.goto("/surveys/%d/results/" % sent.pk)
    assert "平均分 4.50 / 5" in desk.page.content()
    desk.page.screenshot(path=str(tmp_path / "results.png"), full_page=True)
    desk.goto("/surveys/%d/links/" % sent.pk)
    desk.goto("/surveys/")
    assert Response.objects.filter(survey=sent).count() == 2
    assert VIEWPORT["width"] == 390
