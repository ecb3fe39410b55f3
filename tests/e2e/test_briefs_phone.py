"""The information bulletin on a phone (issue 16 §5–6): the secretary
compiles an issue at 390 px (reorders, edits an entry's text, publishes
after the confirm page), reads the monthly summary and records an adoption;
an employee reads the published issue. Nothing is wider than the screen and
no page logs an error."""
import pytest

from briefs.models import BulletinIssue
from tests.briefs.conftest import adopted, draft, filled  # noqa: F401  (fixtures)
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_TITLE = "市场部完成二〇二六年第一季度重点客户满意度调查并形成整改清单（共十二项措施，涉及交货、售后与投诉处理）"


def test_secretary_compiles_and_publishes_an_issue_on_a_phone(phone, filled, adopted, secretary, employee, tmp_path):
    entry = filled.entries.get(item=adopted[2])
    desk = phone(secretary.username, PASSWORD, "/briefs/%d/" % filled.pk)
    assert "（发布时编号）" in desk.page.content()

    desk.click("#entry-%d footer form:nth-of-type(1) button" % entry.pk)  # 上移
    desk.click_locator(desk.page.locator("#entry-%d" % entry.pk).get_by_role("button", name="编辑文字"))
    desk.page.fill("input[name=title]", LONG_TITLE)
    desk.page.fill("textarea[name=text]", "回访客户四十家。\n" + "收集意见十五条，已逐条落实。" * 10)
    desk.click("main form button[type=submit]")
    assert LONG_TITLE in desk.page.content()
    desk.page.screenshot(path=str(tmp_path / "issue.png"), full_page=True)

    desk.click_locator(desk.page.get_by_role("button", name="发布"))
    assert "不能再修改" in desk.page.content()
    desk.click("main form button[type=submit]")
    assert "2026年第1期" in desk.page.content() or "第1期" in desk.page.content()
    assert BulletinIssue.objects.get().number == 1

    desk.goto("/briefs/summary/")
    desk.goto("/briefs/adoptions/")
    desk.page.fill("input[name=number]", adopted[0].number)
    desk.page.select_option("select[name=level]", "publication")
    desk.click("main form.item-form button[type=submit]")
    assert "已记录信息" in desk.page.content()

    reader = phone(employee.username, PASSWORD, "/briefs/")
    reader.click_locator(reader.page.get_by_role("link", name="信息简报 %s" % BulletinIssue.objects.get().number_label))
    assert LONG_TITLE in reader.page.content() and "编辑文字" not in reader.page.content()
    reader.page.screenshot(path=str(tmp_path / "reader.png"), full_page=True)
