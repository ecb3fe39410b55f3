"""The home card's 待阅 and task numbers (followup.selectors.home_counts, one
plain statement) are what the reading inbox and the task list count, after
each change that moves them (issue 12)."""
import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import remove_perm

from followup.models import InstructionTask
from followup.selectors import home_counts, unread_count
from followup.services.circulation import circulate_item, mark_read
from followup.services.instructions import cancel_task, finish_task, give_instruction
from tests.followup.conftest import NOW

pytestmark = pytest.mark.django_db

DUE = NOW + dt.timedelta(days=3)


def expected(user):
    tasks = InstructionTask.objects.filter(owner=user, state=InstructionTask.State.OPEN)
    return {"unread": unread_count(user), "tasks": tasks.count(),
            "late": sum(1 for task in tasks if task.due_at and task.due_at < NOW)}


def assert_same(*users):
    for user in users:
        assert home_counts(user) == expected(user), user.username


def test_reading_moves_the_unread_number(transmitted, officer_market, outsider, employee):
    assert_same(outsider, employee, officer_market)
    circulate_item(item=transmitted, actor=officer_market, user_ids=[outsider.pk, employee.pk])
    assert_same(outsider, employee, officer_market)
    assert home_counts(outsider)["unread"] == 1

    mark_read(item=transmitted, actor=outsider)
    assert_same(outsider, employee)
    assert home_counts(outsider)["unread"] == 0 and home_counts(employee)["unread"] == 1


def test_an_item_no_longer_visible_leaves_the_unread_number(transmitted, officer_market, outsider):
    circulate_item(item=transmitted, actor=officer_market, user_ids=[outsider.pk])
    transmitted.confidentiality = "restricted"
    transmitted.save(update_fields=["confidentiality"])
    assert home_counts(outsider)["unread"] == 1  # still on the path: a grant
    remove_perm("view_item", outsider, transmitted)

    assert_same(outsider)
    assert home_counts(outsider)["unread"] == 0


def test_tasks_and_late_tasks_follow_the_task(report, leader, officer_prod, head_market):
    instruction = give_instruction(item=report, actor=leader, text="落实", tasks=[
        {"owner": officer_prod, "what": "复查隐患", "due_at": DUE},
        {"owner": officer_prod, "what": "上报结果", "due_at": DUE + dt.timedelta(days=5)}])
    first, second = instruction.tasks.order_by("pk")
    assert_same(officer_prod, head_market)
    assert home_counts(officer_prod)["tasks"] == 2

    with time_machine.travel(DUE + dt.timedelta(days=1), tick=False):
        counts = home_counts(officer_prod)
    assert counts["tasks"] == 2 and counts["late"] == 1

    finish_task(task=first, actor=officer_prod, result="已整改")
    assert_same(officer_prod)
    cancel_task(task=second, actor=leader, reason="合并办理")
    assert_same(officer_prod)
    assert home_counts(officer_prod) == {"unread": 0, "tasks": 0, "late": 0}


def test_one_statement_besides_the_delegations(transmitted, officer_market, outsider):
    circulate_item(item=transmitted, actor=officer_market, user_ids=[outsider.pk])
    home_counts(outsider)  # the user's roles, read once per request
    with CaptureQueriesContext(connection) as queries:
        home_counts(outsider)
    assert len(queries) == 2
