"""Due dates on the working-day calendar (datacalls.schedule): holidays
postpone a calendar-day due date, 调休 weekend workdays count as workdays."""
import datetime as dt
from types import SimpleNamespace

import pytest

from datacalls import schedule

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def _call(**kw):
    base = dict(schedule="quarterly", anchor="end", offset_days=-7, offset_unit="days", due_time=dt.time(17, 30),
                months=[], dates=[], due_on=None, starts_on=None, ends_on=None)
    base.update(kw)
    return SimpleNamespace(**base)


def test_quarterly_one_week_before_quarter_end():
    call = _call()

    periods = list(zip(range(4), schedule.periods_from(call, dt.date(2025, 1, 1))))

    assert [(p.label, p.due_at.date()) for _, p in periods] == [
        ("2025Q1", dt.date(2025, 3, 24)), ("2025Q2", dt.date(2025, 6, 23)),
        ("2025Q3", dt.date(2025, 9, 23)), ("2025Q4", dt.date(2025, 12, 24))]
    assert periods[2][1].due_at == dt.datetime(2025, 9, 23, 17, 30, tzinfo=TZ)


def test_quarterly_in_working_days_counts_the_tiaoxiu_sunday_before_national_day():
    # 2025-09-28 is a Sunday worked (调休) before the National Day week.
    call = _call(offset_days=-5, offset_unit="working_days")

    q3 = next(p for p in schedule.periods_from(call, dt.date(2025, 8, 1)))

    assert q3.due_at.date() == dt.date(2025, 9, 24)


def test_quarter_start_falling_in_national_day_week_moves_to_first_workday_after():
    call = _call(anchor="start", offset_days=0)

    q4 = next(p for p in schedule.periods_from(call, dt.date(2025, 10, 1)))

    assert q4.label == "2025Q4"
    assert q4.opens_at == dt.datetime(2025, 10, 1, 0, 0, tzinfo=TZ)
    assert q4.due_at.date() == dt.date(2025, 10, 9)


def test_weekend_due_date_moves_to_monday_but_tiaoxiu_saturday_stays():
    weekly = _call(schedule="weekly", anchor="end", offset_days=-1)  # Saturday of each week

    due = [p.due_at.date() for _, p in zip(range(2), schedule.periods_from(weekly, dt.date(2025, 10, 6)))]

    # 2025-10-11 is a Saturday worked (调休); the next Saturday is not.
    assert due == [dt.date(2025, 10, 11), dt.date(2025, 10, 20)]


def test_monthly_in_listed_months_only():
    call = _call(schedule="monthly", months=[1, 4, 7, 10], anchor="end", offset_days=0)

    labels = [p.label for _, p in zip(range(3), schedule.periods_from(call, dt.date(2026, 2, 1)))]

    assert labels == ["2026-04", "2026-07", "2026-10"]


def test_listed_dates_and_first_period_skips_a_passed_due():
    call = _call(schedule="dates", dates=["2026-10-20", "2026-03-01"])

    first = schedule.first_period(call, dt.datetime(2026, 3, 5, 9, 0, tzinfo=TZ))

    assert first.label == "2026-10-20"
    assert schedule.period_after(call, first, dt.datetime(2026, 3, 5, tzinfo=TZ)) is None


def test_yearly_ends_with_ends_on():
    call = _call(schedule="yearly", anchor="end", offset_days=-10, ends_on=dt.date(2026, 12, 31))

    labels = [p.label for p in schedule.periods_from(call, dt.date(2025, 5, 1))]

    assert labels == ["2025", "2026"]
