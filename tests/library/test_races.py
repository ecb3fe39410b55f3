"""Races (PostgreSQL): two people acting on one row at once — the row lock
makes the second see the first's change (conventions: one test per state
change that could double-apply)."""
import threading

import pytest
from django.db import connection

from library import services
from library.models import Entry
from liaison.errors import LibraryError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except LibraryError as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def test_two_people_filing_one_item_make_one_entry(make_item, officer_market, head_market, market, regulation,
                                                   secretary):
    item = make_item()

    outcomes = _race(
        lambda: services.file_item(actor=officer_market, item=item, category=regulation, department=market),
        lambda: services.file_item(actor=secretary, item=item, category=regulation, department=market))

    assert outcomes == ["LibraryStateConflict", "ok"]
    assert Entry.objects.filter(source_item=item).count() == 1


def test_two_withdrawals_of_one_entry_write_one(internal_entry, secretary):
    outcomes = _race(lambda: services.withdraw_entry(actor=secretary, entry=internal_entry, reason="甲"),
                     lambda: services.withdraw_entry(actor=secretary, entry=internal_entry, reason="乙"))

    assert outcomes == ["LibraryStateConflict", "ok"]
    assert internal_entry.history.filter(history_change_reason="withdraw").count() == 1
