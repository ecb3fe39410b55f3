"""Races on PostgreSQL (two threads released by a Barrier): two completions
of one task, two read receipts of one person (circulated, and all staff)."""
import datetime as dt
import threading

import pytest
import time_machine
from django.db import close_old_connections, connection

from followup.models import CirculationReader, InstructionTask, ReadReceipt
from followup.services import circulate_item, finish_task, give_instruction, mark_read
from liaison.errors import StateConflict
from tests.followup.conftest import NOW, TZ

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(functions):
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def worker(index, fn):
        try:
            barrier.wait()
            with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
                results[index] = fn()
        except Exception as exc:  # collected for the assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    close_old_connections()
    return results


def test_two_completions_of_one_task_record_one(report, leader, officer_prod):
    with time_machine.travel(NOW, tick=False):
        task = give_instruction(item=report, actor=leader, text="落实", tasks=[
            {"owner": officer_prod, "what": "复查", "due_at": dt.datetime(2026, 3, 13, 17, 0, tzinfo=TZ)}]
        ).tasks.get()

    results = run_together([
        lambda: finish_task(task=task, actor=officer_prod, result="甲"),
        lambda: finish_task(task=task, actor=officer_prod, result="乙"),
    ])

    assert sum(isinstance(r, InstructionTask) for r in results) == 1
    assert sum(isinstance(r, StateConflict) for r in results) == 1
    assert task.history.filter(history_change_reason="done").count() == 1


def test_two_readings_by_one_reader_record_one_receipt(transmitted, officer_market, outsider):
    with time_machine.travel(NOW, tick=False):
        circulate_item(item=transmitted, actor=officer_market, user_ids=[outsider.pk])

    results = run_together([lambda: mark_read(item=transmitted, actor=outsider)] * 2)

    assert sum(isinstance(r, ReadReceipt) for r in results) == 1
    assert sum(isinstance(r, StateConflict) for r in results) == 1
    assert ReadReceipt.objects.filter(item=transmitted, user=outsider).count() == 1
    reader = CirculationReader.objects.get(user=outsider)
    assert reader.history.filter(history_change_reason="read").count() == 1


def test_two_readings_of_an_all_staff_notice_record_one_receipt(all_staff_notice, employee):
    results = run_together([lambda: mark_read(item=all_staff_notice, actor=employee)] * 2)

    assert sum(isinstance(r, ReadReceipt) for r in results) == 1
    assert sum(isinstance(r, StateConflict) for r in results) == 1
    assert ReadReceipt.objects.filter(item=all_staff_notice, user=employee).count() == 1
