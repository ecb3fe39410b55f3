"""Races on PostgreSQL: two people closing, or reopening, the same incident at once (two threads
released by a Barrier): one succeeds, the other is told it was done already."""
import threading

import pytest
from django.db import close_old_connections, connection

from incidents import services
from incidents.errors import IncidentStateConflict
from incidents.models import Incident

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


def test_two_closes_close_once(incident, secretary):
    results = run_together([
        lambda: services.close_incident(incident=incident, actor=secretary, conclusion="甲"),
        lambda: services.close_incident(incident=incident, actor=secretary, conclusion="乙"),
    ])

    assert sum(isinstance(r, Incident) for r in results) == 1
    assert sum(isinstance(r, IncidentStateConflict) for r in results) == 1
    assert incident.history.filter(history_change_reason="close").count() == 1
    assert incident.entries.filter(kind="close").count() == 1


def test_two_reopens_start_one_round(incident, secretary, auditor):
    services.close_incident(incident=incident, actor=secretary, conclusion="已恢复")

    results = run_together([
        lambda: services.reopen_incident(incident=incident, actor=auditor, reason="甲"),
        lambda: services.reopen_incident(incident=incident, actor=secretary, reason="乙"),
    ])

    incident.refresh_from_db()
    assert sum(isinstance(r, IncidentStateConflict) for r in results) == 1
    assert incident.round == 2
