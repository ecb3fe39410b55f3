"""The demo data call (datacalls.demo): last quarter closed with one answer
on time, one late and one missing; this quarter open; idempotent."""
import pytest
import time_machine

from datacalls import demo
from datacalls.models import Answer, Call
from officers import demo as officers_demo

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("today, periods", [("2026-03-02 10:00+08:00", ["2025Q4", "2026Q1"]),
                                            ("2025-10-02 10:00+08:00", ["2025Q3", "2025Q4"])])
def test_demo_call_has_a_closed_and_an_open_quarter(settings, today, periods):
    with time_machine.travel(today, tick=False):
        officers_demo.seed()
        created = demo.seed()
        again = demo.seed()

    call = Call.objects.get(title=demo.TITLE)
    closed, current = call.occurrences.order_by("period_start")
    assert (created, again) == (1, 0)
    assert [closed.period, current.period] == periods
    assert closed.closed_at is not None and current.closed_at is None
    states = {a.unit.code: (a.state, a.late) for a in closed.answers.select_related("unit")}
    assert states == {"market": (Answer.State.SUBMITTED, False), "prod": (Answer.State.SUBMITTED, True),
                      "finance": (Answer.State.MISSED, False)}
    assert set(current.answers.values_list("state", flat=True)) == {Answer.State.PENDING}
