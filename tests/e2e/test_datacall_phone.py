"""Data calls on a phone (issue 13 "Done when"): an officer answers at
390 px; the secretary reads the matrix and downloads the workbook. Nothing
is wider than the screen and no page logs an error."""
import datetime as dt

import pytest

from datacalls import services
from datacalls.models import Answer
from tests.datacalls.conftest import make_call
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_call(secretary, market, prod, officer_market, officer_prod):
    call = make_call(secretary, [market, prod], title="第三季度顾客意见征询表（请各部门在季度结束前一周内报送）",
                     due_on=dt.date.today() + dt.timedelta(days=20))
    services.send_call(call=call, actor=secretary)
    return call


def test_officer_answers_and_secretary_reads_the_matrix_on_a_phone(phone, open_call, officer_market, secretary,
                                                                  tmp_path):
    officer = phone(officer_market.username, PASSWORD, "/calls/")
    officer.click_locator(officer.page.get_by_role("link", name="市场部"))
    officer.page.fill("textarea[name=opinion]", "客户希望周末也能送货。")
    officer.page.fill("input[name=amount]", "１２.５")
    officer.page.select_option("select[name=level]", "满意")
    officer.page.screenshot(path=str(tmp_path / "answer.png"), full_page=True)
    officer.click("button[value=submit]")

    assert "已报送。" in officer.page.content()
    answer = open_call.occurrences.get().answers.get(unit__code="market")
    assert answer.state == Answer.State.SUBMITTED and answer.values["amount"] == "12.5"

    desk = phone(secretary.username, PASSWORD, "/calls/%d/" % open_call.occurrences.get().pk)
    desk.page.screenshot(path=str(tmp_path / "matrix.png"), full_page=True)
    text = desk.page.content()
    assert "市场部" in text and "生产部" in text and "已报送" in text
    desk.goto("/calls/%d/summary/" % open_call.occurrences.get().pk)
    assert "12.5" in desk.page.content()
