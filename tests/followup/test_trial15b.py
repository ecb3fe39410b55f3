"""Findings of the trial as a new user and an attacker (notes/trial15b.md):
a double-clicked instruction is saved once; the admin shows who was
circulated and who has read only to those the portal's reading page shows it
to (and each reader their own row); task deadlines on a 调休 working Saturday
are accepted, on a holiday refused; strangers get 404 for the tasks and
pages of an item they may not see."""
import datetime as dt

import pytest
from django.contrib.auth.models import Permission

from followup.models import CirculationReader, Instruction, InstructionTask
from followup.selectors import all_staff_read_count, all_staff_reading
from followup.services import circulate_item, give_instruction, mark_read
from liaison.errors import InvalidInput, StateConflict
from liaison.models import CalendarDay
from tests.factories import UserFactory
from tests.followup.conftest import TZ

pytestmark = pytest.mark.django_db

DUE = dt.datetime(2026, 3, 13, 17, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _now(frozen):
    return frozen


def _tasks(*owners):
    return [{"owner": owner, "what": "复查整改情况", "due_at": DUE} for owner in owners]


def test_a_double_clicked_instruction_is_saved_once(report, leader, officer_prod, head_market):
    give_instruction(item=report, actor=leader, text="请生产部落实", tasks=_tasks(officer_prod, head_market))

    with pytest.raises(StateConflict) as exc:
        give_instruction(item=report, actor=leader, text="请生产部落实", tasks=_tasks(officer_prod, head_market))

    assert "相同的批示" in exc.value.message
    assert Instruction.objects.count() == 1
    assert InstructionTask.objects.count() == 2


def test_a_different_or_later_instruction_is_a_new_one(report, leader, officer_prod, frozen):
    give_instruction(item=report, actor=leader, text="请生产部落实", tasks=_tasks(officer_prod))
    give_instruction(item=report, actor=leader, text="另请市场部配合")
    frozen.shift(dt.timedelta(minutes=11))
    give_instruction(item=report, actor=leader, text="请生产部落实")

    assert Instruction.objects.count() == 3


def test_the_double_click_on_the_page_keeps_the_form_and_says_why(client, report, leader, officer_prod):
    data = {"text": "请生产部落实", "task0-owner": officer_prod.pk, "task0-what": "复查",
            "task0-due_at": "2026-03-13T17:00"}
    client.force_login(leader)
    first = client.post("/followup/items/%d/instruct/" % report.pk, data)
    second = client.post("/followup/items/%d/instruct/" % report.pk, data)

    assert first.status_code == 302
    assert second.status_code == 200
    assert "您已于 09:30 作出相同的批示，未重复保存。" in second.content.decode()
    assert InstructionTask.objects.count() == 1


def test_a_deadline_on_a_makeup_working_saturday_is_accepted_a_holiday_refused(report, leader, officer_prod):
    CalendarDay.objects.update_or_create(date=dt.date(2026, 3, 14), defaults={"kind": "workday", "source": "manual"})
    CalendarDay.objects.update_or_create(date=dt.date(2026, 3, 16), defaults={"kind": "holiday", "source": "manual"})
    saturday = dt.datetime(2026, 3, 14, 17, 0, tzinfo=TZ)
    monday = dt.datetime(2026, 3, 16, 17, 0, tzinfo=TZ)

    give_instruction(item=report, actor=leader, text="周六前完成",
                     tasks=[{"owner": officer_prod, "what": "复查", "due_at": saturday}])
    with pytest.raises(InvalidInput) as exc:
        give_instruction(item=report, actor=leader, text="周一前完成",
                         tasks=[{"owner": officer_prod, "what": "复查", "due_at": monday}])

    assert "2026-03-16 不是工作日" in exc.value.message
    assert InstructionTask.objects.get().due_at == saturday


def _staff(user):
    user.is_staff = True
    user.is_superuser = False
    user.save()
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="followup"))
    return user


def test_the_admin_shows_the_reading_only_to_those_the_portal_shows_it(
        client, transmitted, officer_market, outsider, employee):
    circulate_item(item=transmitted, actor=officer_market, user_ids=[outsider.pk, employee.pk])
    mark_read(item=transmitted, actor=employee)
    outsider_row = CirculationReader.objects.get(user=outsider)
    employee_row = CirculationReader.objects.get(user=employee)

    client.force_login(_staff(outsider))
    listing = client.get("/admin/followup/circulationreader/").content.decode()
    others = client.get("/admin/followup/circulationreader/%d/history/" % employee_row.pk)
    own = client.get("/admin/followup/circulationreader/%d/history/" % outsider_row.pk)
    receipts = client.get("/admin/followup/readreceipt/").content.decode()
    circulations = client.get("/admin/followup/circulation/").content.decode()
    # The portal's reading page is closed to a reader too.
    portal = client.get("/followup/items/%d/readers/" % transmitted.pk)

    assert employee.first_name not in listing
    assert others.status_code == 404
    assert own.status_code == 200
    assert employee.first_name not in receipts
    assert "0 " in circulations or transmitted.subject not in circulations
    assert portal.status_code == 403

    client.force_login(_staff(officer_market))
    listing = client.get("/admin/followup/circulationreader/").content.decode()
    assert employee.first_name in listing and outsider.first_name in listing


def test_pages_of_an_item_one_may_not_see_are_404(client, report, leader, officer_prod, outsider):
    task = give_instruction(item=report, actor=leader, text="落实", tasks=_tasks(officer_prod)).tasks.get()
    client.force_login(outsider)

    for url in ("/followup/tasks/%d/" % task.pk, "/followup/tasks/%d/cancel/" % task.pk,
                "/followup/items/%d/circulate/" % report.pk, "/followup/items/%d/readers/" % report.pk,
                "/followup/items/%d/instruct/" % report.pk, "/followup/items/%d/propose/" % report.pk):
        assert client.get(url).status_code == 404, url
    for url in ("/followup/tasks/%d/chase/" % task.pk, "/followup/items/%d/read/" % report.pk,
                "/followup/tasks/%d/" % task.pk):
        assert client.post(url, {"result": "x"}).status_code == 404, url
    assert InstructionTask.objects.get().state == InstructionTask.State.OPEN
    assert report.subject not in client.get("/followup/tasks/").content.decode()


def test_the_all_staff_reading_leaves_out_system_accounts(client, all_staff_notice, officer_market, employee, market):
    admin = UserFactory(username="admin", first_name="系统管理员", is_superuser=True, is_staff=True,
                        profile__unit=market)
    mark_read(item=all_staff_notice, actor=employee)
    mark_read(item=all_staff_notice, actor=admin)  # a superuser may read; it is not staff reading

    html = _page(client, officer_market, "/followup/items/%d/readers/" % all_staff_notice.pk)
    staff = list(all_staff_reading(all_staff_notice))

    assert admin not in staff and employee in staff
    assert all_staff_read_count(all_staff_notice) == 1
    assert "系统管理员" not in html
    assert "已阅 1 人" in html


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()
