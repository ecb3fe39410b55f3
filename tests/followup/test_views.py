"""The pages: 404 for an item one may not see, 403 for one one may see but
not act on, input kept on errors, fixed query counts on the lists."""
import datetime as dt

import pytest

from followup.models import CirculationReader, Instruction, InstructionTask, ReadReceipt
from followup.services import circulate_item, give_instruction
from tests.factories import UserFactory
from tests.followup.conftest import NOW, TZ

pytestmark = pytest.mark.django_db

DUE = dt.datetime(2026, 3, 13, 17, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _now(frozen):
    return frozen


def _login(client, user):
    client.force_login(user)
    return client


def test_the_circulate_page_is_for_those_who_may(client, transmitted, officer_market, officer_prod, outsider):
    url = "/followup/items/%d/circulate/" % transmitted.pk

    assert _login(client, officer_market).get(url).status_code == 200
    assert _login(client, officer_prod).get(url).status_code == 403
    assert _login(client, outsider).get(url).status_code == 404


def test_circulating_from_the_page_and_reading_from_the_inbox(client, transmitted, officer_market, outsider):
    response = _login(client, officer_market).post("/followup/items/%d/circulate/" % transmitted.pk, {
        "users": [outsider.pk], "note": "请阅", "remind_after_days": 2})
    assert response.status_code == 302

    inbox = _login(client, outsider).get("/followup/reading/").content.decode()
    assert transmitted.subject in inbox
    response = client.post("/followup/items/%d/read/" % transmitted.pk, {"next": "inbox"})
    assert response["Location"] == "/followup/reading/"
    assert ReadReceipt.objects.filter(user=outsider).count() == 1
    assert transmitted.subject not in client.get("/followup/reading/").content.decode()
    assert transmitted.subject in client.get("/followup/reading/?done=1").content.decode()


def test_a_circulate_form_without_anyone_keeps_the_note(client, transmitted, officer_market):
    response = _login(client, officer_market).post("/followup/items/%d/circulate/" % transmitted.pk, {
        "note": "请各位阅知并落实", "remind_after_days": 1})

    html = response.content.decode()
    assert response.status_code == 200
    assert "请选择传阅人员或传阅部门。" in html
    assert "请各位阅知并落实" in html
    assert not CirculationReader.objects.exists()


def test_reading_is_post_only(client, transmitted, officer_market, outsider):
    circulate_item(item=transmitted, actor=officer_market, user_ids=[outsider.pk])

    assert _login(client, outsider).get("/followup/items/%d/read/" % transmitted.pk).status_code == 405


def test_the_item_page_shows_the_reader_a_read_button_and_the_handler_who_read(
        client, transmitted, officer_market, outsider, employee):
    circulate_item(item=transmitted, actor=officer_market, user_ids=[outsider.pk, employee.pk])

    reader_page = _login(client, outsider).get("/items/%d/" % transmitted.pk).content.decode()
    assert "/followup/items/%d/read/" % transmitted.pk in reader_page
    assert "查看阅读情况" not in reader_page

    handler_page = _login(client, officer_market).get("/items/%d/" % transmitted.pk).content.decode()
    assert "传阅 2 人，已阅 0 人。" in handler_page
    assert outsider.first_name in handler_page


def test_the_reading_page_is_for_handlers_not_readers(client, transmitted, officer_market, outsider, officer_prod):
    circulate_item(item=transmitted, actor=officer_market, user_ids=[outsider.pk])
    url = "/followup/items/%d/readers/" % transmitted.pk

    assert _login(client, officer_market).get(url).status_code == 200
    assert _login(client, outsider).get(url).status_code == 403
    assert _login(client, UserFactory()).get(url).status_code == 404


def test_the_all_staff_reading_page_lists_read_and_unread(client, all_staff_notice, officer_market, employee):
    _login(client, employee).post("/followup/items/%d/read/" % all_staff_notice.pk)

    html = _login(client, officer_market).get("/followup/items/%d/readers/" % all_staff_notice.pk).content.decode()

    assert "已阅 1 人" in html
    assert employee.first_name in html
    assert "未阅" in html


def test_the_reading_inbox_costs_the_same_queries_for_one_row_or_many(client, transmitted, officer_market,
                                                                      django_assert_max_num_queries):
    reader = UserFactory()
    circulate_item(item=transmitted, actor=officer_market, user_ids=[reader.pk])
    _login(client, reader)
    with django_assert_max_num_queries(12) as one:
        client.get("/followup/reading/")
    for _ in range(15):
        CirculationReader.objects.filter(user=reader).update(read_at=NOW)
        circulate_item(item=transmitted, actor=officer_market, user_ids=[reader.pk])
    CirculationReader.objects.filter(user=reader).update(read_at=None)

    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/followup/reading/")
    assert response.content.decode().count("/followup/items/%d/read/" % transmitted.pk) == 16


def test_the_instruction_page_gives_tasks(client, report, leader, head_market, officer_prod):
    url = "/followup/items/%d/instruct/" % report.pk
    assert _login(client, head_market).get(url).status_code == 403

    response = _login(client, leader).post(url, {
        "text": "请生产部牵头落实", "task0-owner": officer_prod.pk, "task0-what": "复查隐患",
        "task0-due_at": "2026-03-13T17:00", "task1-owner": "", "task1-what": "", "task1-due_at": ""})

    assert response.status_code == 302
    task = InstructionTask.objects.get()
    assert (task.owner, task.what) == (officer_prod, "复查隐患")


def test_a_bad_task_row_keeps_the_instruction_text(client, report, leader, officer_prod):
    response = _login(client, leader).post("/followup/items/%d/instruct/" % report.pk, {
        "text": "请生产部牵头落实", "task0-owner": officer_prod.pk, "task0-what": "复查隐患",
        "task0-due_at": "2026-03-14T17:00"})

    html = response.content.decode()
    assert "不是工作日" in html
    assert "请生产部牵头落实" in html
    assert not Instruction.objects.exists()


@pytest.fixture
def task(report, leader, officer_prod):
    return give_instruction(item=report, actor=leader, text="落实", tasks=[
        {"owner": officer_prod, "what": "复查隐患", "due_at": DUE}]).tasks.get()


def test_the_owner_finishes_the_task_on_its_page(client, task, officer_prod, officer_market):
    url = "/followup/tasks/%d/" % task.pk
    assert _login(client, officer_market).post(url, {"result": "完成"}).status_code == 403

    response = _login(client, officer_prod).post(url, {"result": "已全部整改"})

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == "done"
    assert "已全部整改" in client.get(url).content.decode()


def test_a_task_of_an_item_one_may_not_see_is_a_404(client, task, outsider):
    assert _login(client, outsider).get("/followup/tasks/%d/" % task.pk).status_code == 404


def test_cancelling_asks_first(client, task, leader, officer_prod):
    url = "/followup/tasks/%d/cancel/" % task.pk
    assert _login(client, officer_prod).get(url).status_code == 403

    page = _login(client, leader).get(url)
    assert "确认取消任务" in page.content.decode()
    client.post(url, {"reason": "情况变化"})

    task.refresh_from_db()
    assert task.state == "cancelled"


def test_chasing_from_the_task_page(client, task, officer_market, officer_prod):
    _login(client, officer_market).post("/followup/tasks/%d/chase/" % task.pk)

    assert task.chases.count() == 1
    assert _login(client, officer_prod).post("/followup/tasks/%d/chase/" % task.pk).status_code == 403


def test_the_task_list_costs_the_same_queries_for_one_row_or_many(client, report, leader, officer_prod,
                                                                  django_assert_max_num_queries):
    give_instruction(item=report, actor=leader, text="落实", tasks=[
        {"owner": officer_prod, "what": "复查", "due_at": DUE}])
    _login(client, officer_prod)
    with django_assert_max_num_queries(12) as one:
        client.get("/followup/tasks/")
    give_instruction(item=report, actor=leader, text="再落实", tasks=[
        {"owner": officer_prod, "what": "复查 %d" % n, "due_at": DUE} for n in range(10)])

    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/followup/tasks/")
    assert response.content.decode().count("/followup/tasks/") >= 11


def test_the_home_page_counts_unread_and_tasks(client, task, transmitted, officer_market, officer_prod):
    circulate_item(item=transmitted, actor=officer_market, user_ids=[officer_prod.pk])

    html = _login(client, officer_prod).get("/").content.decode()

    assert "有 1 条传阅信息待您阅读。" in html
    assert "您有 1 项领导批示的任务待办理。" in html


def test_opening_the_reading_of_a_restricted_item_is_audited(client, transmitted, officer_market, outsider):
    from liaison.models import AuditEntry

    transmitted.confidentiality = "restricted"
    transmitted.save()
    circulate_item(item=transmitted, actor=officer_market, user_ids=[outsider.pk])

    assert _login(client, officer_market).get("/followup/items/%d/readers/" % transmitted.pk).status_code == 200

    assert AuditEntry.objects.filter(user=officer_market, action="view_restricted").count() == 1


def test_tasks_visible_to_is_items_visible_to_on_each_task(task, outsider, officer_prod, officer_market, leader,
                                                          secretary, head_market):
    """The rule stated on each task's own item (issue 12) gives exactly the tasks of the items one may see."""
    from followup.selectors import tasks_visible_to
    from infoflow.visibility import items_visible_to

    for user in (outsider, officer_prod, officer_market, leader, secretary, head_market):
        expected = set(InstructionTask.objects.filter(item__in=items_visible_to(user)).values_list("pk", flat=True))
        assert set(tasks_visible_to(user).values_list("pk", flat=True)) == expected, user.username
    assert task.pk not in set(tasks_visible_to(outsider).values_list("pk", flat=True))
    assert task.pk in set(tasks_visible_to(officer_prod).values_list("pk", flat=True))


@pytest.mark.parametrize("done", [False, True])
def test_the_task_page_through_compiled_sql_is_the_querysets_page(report, leader, officer_prod, officer_market,
                                                                   secretary, head_market, outsider, done):
    """followup.selectors.task_page (its SQL compiled once per kind of user;
    issue 12) gives the rows and pages paginate_counted gives of task_rows."""
    from django.test import RequestFactory

    from followup.selectors import task_page, task_rows
    from infoflow.views.common import paginate_counted

    for first in (0, 12):  # at most 20 tasks an instruction
        give_instruction(item=report, actor=leader, text="落实 %d" % first, tasks=[
            {"owner": officer_prod, "what": "复查 %d" % n, "due_at": DUE} for n in range(first, first + 12)])
    InstructionTask.objects.filter(what__in=["复查 3", "复查 5"]).update(state="done")
    for user in (officer_prod, officer_market, leader, secretary, head_market, outsider):
        for number in (None, "2", "3", "x", "0"):
            request = RequestFactory().get("/", {} if number is None else {"page": number})
            request.user = user
            got, expected = task_page(request, done), paginate_counted(request, task_rows(user, done=done))
            assert list(got) == list(expected), user.username
            assert (got.number, got.paginator.count) == (expected.number, expected.paginator.count)
