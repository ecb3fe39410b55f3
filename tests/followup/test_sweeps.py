"""The sweeps: an unread reader reminded once after the set working days;
an instruction task reminded, late, escalated — on the working calendar."""
import datetime as dt

import pytest
import time_machine

from followup.services import circulate_item, finish_task, give_instruction, mark_read
from followup.sweeps import reminder_at
from liaison import sweeps
from liaison.models import Notification
from tests.followup.conftest import TZ

pytestmark = pytest.mark.django_db


def _at(*args):
    return dt.datetime(*args, tzinfo=TZ)


def _sweep(moment):
    with time_machine.travel(moment, tick=False):
        sweeps.run(now=moment)


def _ours(**filters):
    """This app's notices (the item's own review steps fall due too)."""
    return Notification.objects.filter(key__startswith="followup:", **filters)


def _keys(**filters):
    return sorted(_ours(**filters).values_list("key", flat=True))


def test_an_unread_reader_is_reminded_once_after_the_working_days(transmitted, officer_market, outsider, employee):
    # Tuesday 2026-03-10 09:30, three working days: Friday 09:30.
    circulate_item(item=transmitted, actor=officer_market, user_ids=[outsider.pk, employee.pk], remind_after_days=3)
    with time_machine.travel(_at(2026, 3, 11, 10, 0), tick=False):
        mark_read(item=transmitted, actor=employee)

    _sweep(_at(2026, 3, 13, 9, 29))
    assert _keys(kind="reminder") == []
    _sweep(_at(2026, 3, 13, 9, 31))
    _sweep(_at(2026, 3, 16, 9, 31))

    reminders = _ours(kind="reminder")
    assert [n.recipient.username for n in reminders] == ["outsider"]
    assert transmitted.pk and outsider.readings.get().reminded_at is not None


def test_the_reminder_skips_a_holiday(transmitted, officer_market, outsider):
    # Friday 2026-04-03 10:00 + 1 working day: the weekend and 清明 (Monday 6 April) are off → Tuesday 10:00.
    with time_machine.travel(_at(2026, 4, 3, 10, 0), tick=False):
        circulation = circulate_item(item=transmitted, actor=officer_market, user_ids=[outsider.pk])
    assert circulation.remind_at == _at(2026, 4, 7, 10, 0)

    _sweep(circulation.remind_at - dt.timedelta(minutes=1))
    assert not _ours(kind="reminder").exists()
    _sweep(circulation.remind_at)
    assert _ours(kind="reminder", recipient=outsider).count() == 1


@pytest.fixture
def task(report, leader, officer_prod):
    # Due Friday 13 March 17:00; given Tuesday 10 March 09:30.
    instruction = give_instruction(item=report, actor=leader, text="落实", tasks=[
        {"owner": officer_prod, "what": "复查隐患", "due_at": _at(2026, 3, 13, 17, 0)}])
    return instruction.tasks.get()


def test_a_task_is_reminded_then_late_then_escalated(task, officer_prod, head_prod, leader):
    _sweep(_at(2026, 3, 12, 16, 59))
    assert _keys(kind="reminder") == []

    _sweep(_at(2026, 3, 12, 17, 0))
    assert _keys(kind="reminder") == ["followup:task:%d:reminder" % task.pk]

    _sweep(_at(2026, 3, 13, 17, 1))
    late = _ours(kind="overdue")
    assert {n.recipient.username for n in late} == {"officer_prod", "head_prod"}

    # One working day after Friday 17:00 is Monday 17:00 (the weekend does not count).
    _sweep(_at(2026, 3, 16, 16, 59))
    assert not _ours(kind="escalation").exists()
    _sweep(_at(2026, 3, 16, 17, 0))
    assert [n.recipient.username for n in _ours(kind="escalation")] == ["leader"]

    _sweep(_at(2026, 3, 20, 17, 0))
    assert Notification.objects.filter(key__startswith="followup:task:").exclude(
        key__endswith="given").count() == 4


def test_a_reminder_before_a_weekend_deadline_falls_on_the_last_working_day():
    # Due Monday 16 March 10:00: reminded Friday 13 March 10:00.
    assert reminder_at(_at(2026, 3, 16, 10, 0)) == _at(2026, 3, 16, 10, 0) - dt.timedelta(days=3)


def test_a_done_task_is_not_reminded(task, officer_prod):
    finish_task(task=task, actor=officer_prod, result="已复查")

    _sweep(_at(2026, 3, 16, 17, 0))

    assert not _ours(kind__in=("reminder", "overdue", "escalation")).exists()


def test_nothing_is_said_about_a_cancelled_item(transmitted, officer_market, outsider, leader):
    from infoflow.services.chain import cancel_item

    circulate_item(item=transmitted, actor=officer_market, user_ids=[outsider.pk])
    cancel_item(item=transmitted, actor=officer_market, reason="重复报送")

    _sweep(_at(2026, 3, 20, 17, 0))

    assert not _ours(kind="reminder").exists()
