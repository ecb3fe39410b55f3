"""紧急 limits count office hours (settings.TIME_LIMITS, domain: urgency
table): an urgent item submitted at night, on a holiday or on a 调休 Saturday
is due two working hours into the office's time; 特急 stays in clock minutes.
Through the real submission, as the review step stores its limit."""
import datetime as dt

import pytest
import time_machine

from infoflow.services.chain import open_step, submit_item
from infoflow.services.deadlines import reminder_at, sweep

CST = dt.timezone(dt.timedelta(hours=8))


def at(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=CST)


def submitted(make_item, org, moment, urgency):
    with time_machine.travel(moment, tick=False):
        item = submit_item(
            item=make_item(needs_coordination=True, urgency=urgency, expected_feedback_at=moment + dt.timedelta(days=30)),
            actor=org["officer_market"],
        )
    return open_step(item)


@pytest.mark.parametrize(
    "moment, due",
    [
        ("2026-03-10 03:39", "2026-03-10 11:00"),  # a Tuesday night: 09:00 opening + 2 h
        ("2026-10-03 10:00", "2026-10-08 11:00"),  # National Day: the first workday after it
        ("2026-10-10 10:15", "2026-10-10 13:45"),  # the 调休 Saturday is a workday; lunch does not count
        ("2026-02-13 16:30", "2026-02-14 10:00"),  # Friday before the Spring Festival → 调休 Saturday 14 Feb
    ],
)
def test_an_urgent_review_is_due_two_office_hours_later(org, make_item, moment, due):
    step = submitted(make_item, org, at(moment), "urgent")

    assert (step.limit_amount, step.limit_unit) == (2, "working_hours")
    assert step.due_at == at(due)


def test_an_urgent_item_at_night_brings_no_notice_before_the_office_opens(org, make_item):
    step = submitted(make_item, org, at("2026-03-10 03:39"), "urgent")

    # 75 % of the two working hours: 10:30, not 05:09.
    assert reminder_at(step.started_at, step.due_at, step.limit_unit) == at("2026-03-10 10:30")
    with time_machine.travel(at("2026-03-10 05:40"), tick=False):
        assert [n.kind for n in sweep() if n.kind in ("reminder", "overdue")] == []
    with time_machine.travel(at("2026-03-10 11:00"), tick=False):
        assert "overdue" in [n.kind for n in sweep()]


def test_extra_urgent_stays_in_clock_minutes_at_any_hour(org, make_item):
    step = submitted(make_item, org, at("2026-10-03 03:39"), "extra_urgent")

    assert (step.limit_amount, step.limit_unit) == (30, "minutes")
    assert step.due_at == at("2026-10-03 04:09")
