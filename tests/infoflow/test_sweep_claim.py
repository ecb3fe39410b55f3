"""One claim mechanism (issue 11): the per-case ``notice_at`` cursor, taken
FOR UPDATE SKIP LOCKED, is what stops a sweep from writing a notice twice.
The unique (recipient, key) constraint on Notification is only an integrity
backstop: these tests count the rows each sweep hands to the INSERT … ON
CONFLICT DO NOTHING and compare them with the rows stored, so a notice that
only the constraint stopped shows up as a conflict."""
import datetime as dt
import threading
from collections import Counter

import pytest
import time_machine

import liaison.notifications
from infoflow.models import ReviewStep
from infoflow.services.chain import submit_item
from infoflow.services.deadlines import sweep
from infoflow.services.delivery import transmit_item
from liaison.models import Notification
from tests.infoflow.test_races import run_together

CST = dt.timezone(dt.timedelta(hours=8))
OPENED = dt.datetime(2026, 3, 10, 9, 30, tzinfo=CST)
LATE = dt.datetime(2026, 3, 13, 10, 0, tzinfo=CST)  # every step overdue and escalated, the receiver late


class Handed:
    """The rows handed to the outbox's INSERT, by (recipient, key)."""

    def __init__(self, monkeypatch):
        self.keys: Counter = Counter()
        self._lock = threading.Lock()
        insert = liaison.notifications._insert

        def counting(rows, fetch=False):
            with self._lock:
                self.keys.update((row.recipient_id, row.key) for row in rows)
            return insert(rows, fetch=fetch)

        monkeypatch.setattr(liaison.notifications, "_insert", counting)

    def conflicts(self, since) -> int:
        """Rows handed to the INSERT that ON CONFLICT DO NOTHING dropped."""
        stored = Notification.objects.exclude(pk__in=since).count()
        return sum(self.keys.values()) - stored


def open_cases(make_item, org, count):
    with time_machine.travel(OPENED, tick=False):
        for n in range(count):
            submit_item(item=make_item(needs_coordination=True, subject="事项%d" % n), actor=org["officer_market"])
        item = submit_item(item=make_item(subject="待反馈事项", expected_feedback_at=OPENED + dt.timedelta(days=1)),
                           actor=org["officer_market"])
        transmit_item(item=item, actor=org["officer_market"], methods=["system"])
    # The items' own notices ("please review", "please sign"), written before counting.
    return set(Notification.objects.values_list("pk", flat=True))


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return sweep()


def test_a_second_sweep_hands_nothing_to_the_insert(org, make_item, monkeypatch):
    before = open_cases(make_item, org, 3)
    handed = Handed(monkeypatch)

    first = sweep_at(LATE)
    after_first = sum(handed.keys.values())
    again = sweep_at(LATE + dt.timedelta(minutes=1))
    later = sweep_at(LATE + dt.timedelta(hours=1))  # catch-up: nothing new fell due

    assert len(first) == after_first > 0
    assert again == later == []
    assert sum(handed.keys.values()) == after_first  # the cursor, not the constraint, stopped the repeat
    assert handed.conflicts(before) == 0


def test_the_constraint_only_catches_what_a_lost_cursor_would_repeat(org, make_item, monkeypatch):
    """The instrument can fail: with the cursors put back (as if the claim
    were gone), the second sweep hands every notice again and only the
    constraint keeps one row per key."""
    before = open_cases(make_item, org, 2)
    handed = Handed(monkeypatch)
    first = sweep_at(LATE)
    ReviewStep.objects.update(notice_at=None)

    again = sweep_at(LATE + dt.timedelta(minutes=1))

    assert again == []
    steps = [k for k in handed.keys if k[1].startswith("step:")]
    assert steps and all(handed.keys[k] == 2 for k in steps)
    assert handed.conflicts(before) == len(steps)
    assert Notification.objects.exclude(pk__in=before).count() == len(first)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_insert_no_conflicting_row(org, make_item, monkeypatch):
    """Three sweeps at once on PostgreSQL take disjoint cases by their
    cursors: not one row reaches the constraint, then or in a later sweep."""
    before = open_cases(make_item, org, 30)
    handed = Handed(monkeypatch)

    with time_machine.travel(LATE, tick=False):
        results = run_together([lambda: [n.pk for n in sweep()] for _ in range(3)])
    again = sweep_at(LATE + dt.timedelta(minutes=1))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert again == []
    # 30 steps: overdue to the head and an escalation to the leader; the
    # receiver: receipt and answer overdue to the initiator and prod's officer and head.
    assert len(handed.keys) == 30 * 2 + 2 * 3
    assert max(handed.keys.values()) == 1
    assert handed.conflicts(before) == 0
    assert sorted(results[0] + results[1] + results[2]) == sorted(
        Notification.objects.exclude(pk__in=before).values_list("pk", flat=True))
