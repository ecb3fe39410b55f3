"""When a data call's occurrences open and fall due (issue 13 §1).

A call's schedule cuts time into periods — an ISO week ("2026-W05"), a month
("2026-03"), a quarter ("2026Q3"), a year ("2026"), one listed date, or the
single period of a one-off call. Each period opens at its first day's
midnight (a one-off call when it is sent) and falls due on

    anchor (the period's first or last day) + offset

where the offset counts calendar days or working days (``Call.offset_unit``),
at ``Call.due_time``. A due day counted in calendar days that is not a
workday is postponed to the next workday (顺延: 民法典 第二百零三条, "期间的
最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日"); counted in
working days it is always a workday. 调休 weekend workdays count as workdays
(liaison.workdays.is_workday decides every day).

Examples: quarterly, anchor = end, offset = -7 days — "one week before the
quarter ends" (Q3: 23 September); monthly in months 1, 4, 7, 10, anchor =
end — the return-visit forms of seed 001.
"""
from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

from liaison.workdays import is_workday

MAX_SEARCH = 800  # periods looked at for the next one (a months filter skips some)


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date
    due_at: dt.datetime
    opens_at: dt.datetime


def _tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def next_workday(day: dt.date) -> dt.date:
    for _ in range(366):
        if is_workday(day):
            return day
        day += dt.timedelta(days=1)
    raise ValueError("no workday within a year of %s" % day)


def shift_working_days(day: dt.date, n: int) -> dt.date:
    """The n-th workday after ``day`` (before it for n < 0); n = 0: ``day``
    itself if a workday, else the next one."""
    if n == 0:
        return next_workday(day)
    step = dt.timedelta(days=1 if n > 0 else -1)
    left = abs(n)
    for _ in range(366 * 2):
        day += step
        if is_workday(day):
            left -= 1
            if left == 0:
                return day
    raise ValueError("no workday found")


def due_day(call, start: dt.date, end: dt.date) -> dt.date:
    anchor = start if call.anchor == "start" else end
    if call.offset_unit == "working_days":
        return shift_working_days(anchor, call.offset_days)
    return next_workday(anchor + dt.timedelta(days=call.offset_days))


def _due_time(call) -> dt.time:
    value = call.due_time
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))


def _at(day: dt.date, moment: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, moment, tzinfo=_tz())


def _bounds(kind: str, day: dt.date) -> tuple[str, dt.date, dt.date]:
    if kind == "weekly":
        start = day - dt.timedelta(days=day.weekday())
        iso = start.isocalendar()
        return "%d-W%02d" % (iso[0], iso[1]), start, start + dt.timedelta(days=6)
    if kind == "monthly":
        start = day.replace(day=1)
        nxt = (start + dt.timedelta(days=32)).replace(day=1)
        return "%d-%02d" % (day.year, day.month), start, nxt - dt.timedelta(days=1)
    if kind == "quarterly":
        q = (day.month - 1) // 3
        start = dt.date(day.year, q * 3 + 1, 1)
        nxt = dt.date(day.year + 1, 1, 1) if q == 3 else dt.date(day.year, q * 3 + 4, 1)
        return "%dQ%d" % (day.year, q + 1), start, nxt - dt.timedelta(days=1)
    if kind == "yearly":
        return str(day.year), dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    raise ValueError("not a periodic schedule: %r" % kind)


def _period(call, label, start, end, opens_at=None) -> Period:
    due = _at(due_day(call, start, end), _due_time(call))
    return Period(label=label, start=start, end=end, due_at=due, opens_at=opens_at or _at(start, dt.time.min))


def _dates(call) -> list[dt.date]:
    out = []
    for value in call.dates or []:
        out.append(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)))
    return sorted(set(out))


def periods_from(call, day: dt.date) -> Iterator[Period]:
    """The call's periods in order, starting with the one that contains
    ``day`` (for listed dates: the first date on or after ``day``)."""
    kind = call.schedule
    ends_on = call.ends_on
    if kind == "once":
        if call.due_on:
            yield Period(label=call.due_on.isoformat(), start=day, end=call.due_on,
                         due_at=_at(next_workday(call.due_on), _due_time(call)), opens_at=_at(day, dt.time.min))
        return
    if kind == "dates":
        previous = None
        for d in _dates(call):
            start = previous + dt.timedelta(days=1) if previous else min(day, d)
            previous = d
            if d < day:
                continue
            yield Period(label=d.isoformat(), start=start, end=d, due_at=_at(next_workday(d), _due_time(call)),
                         opens_at=_at(start, dt.time.min))
        return
    months = {int(m) for m in call.months or []}
    cursor = day
    for _ in range(MAX_SEARCH):
        label, start, end = _bounds(kind, cursor)
        if ends_on and start > ends_on:
            return
        if kind != "monthly" or not months or start.month in months:
            yield _period(call, label, start, end)
        cursor = end + dt.timedelta(days=1)


def first_period(call, now: dt.datetime) -> Period | None:
    """The first period to open when the call is sent at ``now``: the current
    one unless its due time has passed (then the next)."""
    today = now.astimezone(_tz()).date()
    start = max(today, call.starts_on) if call.starts_on else today
    for period in periods_from(call, start):
        if period.due_at > now:
            return period
    return None


def period_after(call, period: Period | None, now: dt.datetime) -> Period | None:
    """The period after ``period`` (the last one created), or the first."""
    if period is None:
        return first_period(call, now)
    for candidate in periods_from(call, period.end + dt.timedelta(days=1)):
        if candidate.label != period.label:
            return candidate
    return None
