"""Races on PostgreSQL: a double submit and two sends or sweeps opening the
same occurrence (two threads released by a Barrier)."""
import datetime as dt
import threading

import pytest
import time_machine
from django.db import close_old_connections, connection

from datacalls import services
from datacalls.models import Answer, Occurrence
from liaison import sweeps
from liaison.errors import DataCallStateConflict
from tests.datacalls.conftest import TZ, make_call

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(functions):
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def worker(index, fn):
        try:
            barrier.wait()
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


def test_double_submit_is_recorded_once(market_answer, officer_market):
    results = run_together([
        lambda: services.submit_answer(answer=market_answer, actor=officer_market, raw={"opinion": "甲"}),
        lambda: services.submit_answer(answer=market_answer, actor=officer_market, raw={"opinion": "乙"}),
    ])

    assert sum(isinstance(r, Answer) for r in results) == 1
    assert sum(isinstance(r, DataCallStateConflict) for r in results) == 1
    assert market_answer.history.filter(history_change_reason="submit").count() == 1


def test_two_sends_open_one_occurrence(call, secretary):
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=TZ), tick=False):
        results = run_together([lambda: services.send_call(call=call, actor=secretary)] * 2)

    assert sum(isinstance(r, DataCallStateConflict) for r in results) == 1
    assert Occurrence.objects.filter(call=call).count() == 1


def test_two_sweeps_open_the_next_period_once(secretary, market, officer_market):
    call = make_call(secretary, [market], schedule="monthly", due_on=None, anchor="end", offset_days=-5)
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, 0, tzinfo=TZ), tick=False):
        services.send_call(call=call, actor=secretary)
    moment = dt.datetime(2026, 2, 1, 0, 1, tzinfo=TZ)

    with time_machine.travel(moment, tick=False):
        run_together([lambda: sweeps.run(moment)] * 2)

    assert list(call.occurrences.order_by("period").values_list("period", flat=True)) == ["2026-01", "2026-02"]
    assert Answer.objects.filter(occurrence__call=call, occurrence__period="2026-02").count() == 1
