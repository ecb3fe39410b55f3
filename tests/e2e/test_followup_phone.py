"""Circulation and instruction tasks on a phone (issue 15): the officer
circulates an item to a colleague at 390 px, the colleague reads it from 待阅,
the owner of a leader's task reports it done. Nothing is wider than the
screen and no page logs an error."""
import pytest
from django.utils import timezone

from followup.models import CirculationReader, InstructionTask
from followup.services import give_instruction
from infoflow.services.chain import submit_item
from infoflow.services.drafting import create_item
from liaison.workdays import add_working_days
from tests.e2e.pickers import pick
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sent(officer_market, market, prod, officer_prod, leader):
    """A report to the supervising leader, sent on submission."""
    item = create_item(actor=officer_market, unit=market, receivers=[{"kind": "user", "user": leader}], fields={
        "subject": "关于三月份安全生产检查情况及下一步整改安排的报告", "kind": "report",
        "summary": "三月安全检查发现两处隐患，已安排整改，请领导阅示。",
        "expected_feedback_at": add_working_days(timezone.now(), 5)})
    submit_item(item=item, actor=officer_market)
    return item


def test_circulate_read_and_finish_a_task_on_a_phone(phone, sent, officer_market, employee, leader, officer_prod,
                                                     tmp_path):
    officer = phone(officer_market.username, PASSWORD, "/items/%d/" % sent.pk)
    officer.click_locator(officer.page.locator("#followup a[href$='/circulate/']"))
    pick(officer.page, "users", employee.first_name[:1], employee.first_name)
    officer.page.fill("textarea[name=note]", "请阅知整改安排。")
    officer.page.screenshot(path=str(tmp_path / "circulate.png"), full_page=True)
    officer.click("main form button[type=submit]")
    assert "已传阅给 1 人。" in officer.page.content()
    assert "传阅 1 人，已阅 0 人。" in officer.page.content()

    reader = phone(employee.username, PASSWORD, "/")
    assert "有 1 条传阅信息待您阅读。" in reader.page.content()
    reader.goto("/followup/reading/")
    assert sent.subject in reader.page.content()
    reader.page.screenshot(path=str(tmp_path / "reading.png"), full_page=True)
    reader.click("main table button[type=submit]")
    assert "已登记阅读。" in reader.page.content()
    assert CirculationReader.objects.get(user=employee).read_at is not None

    task = give_instruction(item=sent, actor=leader, text="请生产部复查隐患整改情况。", tasks=[
        {"owner": officer_prod, "what": "复查两处隐患的整改情况并报告", "due_at": add_working_days(timezone.now(), 3)}
    ]).tasks.get()
    owner = phone(officer_prod.username, PASSWORD, "/followup/tasks/")
    owner.click_locator(owner.page.get_by_role("link", name="复查两处隐患的整改情况并报告"))
    owner.page.fill("textarea[name=result]", "两处隐患均已整改完毕，复查合格。")
    owner.page.screenshot(path=str(tmp_path / "task.png"), full_page=True)
    owner.click("main form button[type=submit]")
    assert "任务已办结。" in owner.page.content()
    task.refresh_from_db()
    assert task.state == InstructionTask.State.DONE
