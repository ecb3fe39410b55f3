"""The archive catalogue's layout in Chromium (issue 10, 6.11): at 1280 px
the table gets the width and the category tree is a narrow side column; on
a phone the tree starts folded above the table and nothing is wider than
the screen."""
import pytest

from archive.services import archive_item
from tests.archive.conftest import _seal_key, make_item  # noqa: F401  fixtures
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue(make_item, secretary):  # noqa: F811
    for n in range(6):
        archive_item(item=make_item(subject="关于第%d季度客户意见与质量改进措施落实情况的通报及整改安排" % n))
    return secretary


def measure(page):
    return page.evaluate("""() => {
        const box = s => document.querySelector(s).getBoundingClientRect();
        const cells = [...document.querySelectorAll('.archive-layout tbody td')];
        return {aside: box('.archive-layout aside').width, table: box('.archive-layout table').width,
                main: box('main').width, open: !!document.querySelector('.archive-layout details.tree-panel[open]'),
                tallest_cell: Math.max(...cells.map(td => td.getBoundingClientRect().height)),
                wide: document.documentElement.scrollWidth};
    }""")


def test_at_1280_px_the_table_gets_the_width(plain_http, browser, live_server, catalogue):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/?next=/archive/")
    page.fill("input[name=username]", catalogue.username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")

    m = measure(page)
    context.close()
    assert m["open"] and m["wide"] <= 1280
    assert m["aside"] <= 240 and m["table"] >= 3 * m["aside"] and m["table"] >= 0.7 * m["main"], m
    assert m["tallest_cell"] < 90, m  # a subject wraps to a few lines, not one character a line


def test_on_a_phone_the_tree_starts_folded_above_the_table(phone, catalogue):
    session = phone(catalogue.username, PASSWORD, "/archive/")

    m = measure(session.page)
    assert not m["open"] and m["wide"] <= 390, m
    session.page.click(".archive-layout details.tree-panel summary")
    assert session.page.is_visible(".archive-layout ul.tree")
