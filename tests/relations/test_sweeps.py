"""Reminders of follow-up actions and obligation due dates (relations/sweeps.py):
one notice per case and stage, a second run sends nothing, a sweep that was
down catches up with one notice."""
import datetime as dt

import pytest
import time_machine

from liaison import sweeps
from liaison.models import Notification
from relations.services.obligations import complete_occurrence
from tests.relations.conftest import TZ
from tests.relations.test_obligations import proof

pytestmark = pytest.mark.django_db


def run(moment):
    with time_machine.travel(moment, tick=False):
        return [n for n in sweeps.run(moment) if n.key.startswith("relations:")]


def keys(rows):
    return sorted((n.key.split(":")[-1], n.recipient.username) for n in rows)


def test_an_action_is_reminded_then_overdue_then_escalated_once_each(action, officer_market, head_market, leader):
    # due Friday 2026-03-13 17:30: reminder Thursday 17:30, overdue at the due time,
    # escalation a working day later (Monday 17:30)
    assert run(dt.datetime(2026, 3, 12, 17, 0, tzinfo=TZ)) == []
    assert keys(run(dt.datetime(2026, 3, 12, 17, 31, tzinfo=TZ))) == [("reminder", "officer_market")]
    assert run(dt.datetime(2026, 3, 12, 17, 32, tzinfo=TZ)) == []
    assert keys(run(dt.datetime(2026, 3, 13, 17, 31, tzinfo=TZ))) == [("overdue", "officer_market")]
    assert run(dt.datetime(2026, 3, 13, 18, 0, tzinfo=TZ)) == []
    assert keys(run(dt.datetime(2026, 3, 16, 17, 31, tzinfo=TZ))) == [("escalated", "head_market"),
                                                                      ("escalated", "leader")]
    assert run(dt.datetime(2026, 3, 20, 9, 0, tzinfo=TZ)) == []


def test_a_sweep_down_for_days_catches_up_with_one_notice(action):
    assert keys(run(dt.datetime(2026, 3, 13, 18, 30, tzinfo=TZ))) == [("overdue", "officer_market")]


def test_a_done_action_is_not_reminded(action, officer_market):
    from relations.services.visits import complete_action

    complete_action(actor=officer_market, action=action, result="已答复")

    assert run(dt.datetime(2026, 3, 16, 18, 0, tzinfo=TZ)) == []


def test_an_occurrence_is_reminded_before_on_and_after_its_due_date(occurrence, officer_market, head_market,
                                                                     leader, secretary):
    # due Friday 2026-03-20, remind 3 working days before: Tuesday 17th at 09:00
    assert run(dt.datetime(2026, 3, 17, 8, 59, tzinfo=TZ)) == []
    assert keys(run(dt.datetime(2026, 3, 17, 9, 0, tzinfo=TZ))) == [("before", "head_market"),
                                                                    ("before", "officer_market")]
    assert run(dt.datetime(2026, 3, 17, 9, 5, tzinfo=TZ)) == []
    assert keys(run(dt.datetime(2026, 3, 20, 9, 0, tzinfo=TZ))) == [("due", "head_market"),
                                                                    ("due", "officer_market")]
    late = keys(run(dt.datetime(2026, 3, 21, 0, 1, tzinfo=TZ)))
    assert late == [("late", "head_market"), ("late", "leader"), ("late", "officer_market"),
                    ("late", "secretary")]
    assert run(dt.datetime(2026, 3, 25, 0, 1, tzinfo=TZ)) == []


def test_an_occurrence_swept_after_an_hour_down_sends_only_the_latest_stage(occurrence):
    assert keys(run(dt.datetime(2026, 3, 20, 10, 0, tzinfo=TZ))) == [("due", "head_market"),
                                                                     ("due", "officer_market")]
    assert run(dt.datetime(2026, 3, 20, 11, 0, tzinfo=TZ)) == []


def test_the_next_due_date_is_swept_on_its_own(occurrence, officer_market):
    with time_machine.travel(dt.datetime(2026, 3, 18, 10, 0, tzinfo=TZ), tick=False):
        _done, following = complete_occurrence(actor=officer_market, occurrence=occurrence, proof=proof(), note="ok")

    assert run(dt.datetime(2026, 3, 21, 0, 1, tzinfo=TZ)) == []
    assert Notification.objects.filter(key="relations:occurrence:%d:late" % occurrence.pk).count() == 0
    assert keys(run(dt.datetime(2027, 3, 19, 9, 0, tzinfo=TZ))) == [("before", "head_market"),
                                                                    ("before", "officer_market")]
