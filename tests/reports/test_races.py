"""Race on PostgreSQL: the secretariat and the sweep (or two sweeps) making the same period's report at
once (two threads released by a Barrier): one report, the other told it exists."""
import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection

from reports import services
from reports.models import Report

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


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


def test_two_makers_of_one_period_make_one_report(secretary):
    results = run_together([
        lambda: services.generate_report(kind="monthly", period_label="2026-03", actor=secretary, now=NOW),
        lambda: services.generate_report(kind="monthly", period_label="2026-03", actor=None, now=NOW),
    ])

    assert sum(isinstance(r, Report) for r in results) == 1
    assert sum(isinstance(r, services.ReportExists) for r in results) == 1
    assert Report.objects.filter(kind="monthly", period="2026-03").count() == 1
