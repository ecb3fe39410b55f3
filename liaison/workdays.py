"""The Chinese working-day calendar: every deadline in the product comes from
here (contract: "The working-day calendar").

A day is a workday when the calendar table says so (调休上班), is off when the
table says it is a holiday, and otherwise follows Monday–Friday. A year the
table does not cover is filled from chinesecalendar on first use; a year the
package does not know either (2027 at the time of writing) is filled with
the statutory days of the 全国年节及纪念日放假办法 (computed, no 调休), marked
provisional (``is_provisional``) — never an error — and ``missing_years``
makes the portal warn until the year's notice is imported.

Working time runs only inside settings.WORKING_HOURS on workdays. A moment
outside working hours counts from the next working moment; a result that
lands exactly on the end of a period is that end (17:30), not the next
morning. Aware datetimes in, aware datetimes in settings.TIME_ZONE out.

Each year's holiday and workday sets are cached per process, cleared when a
CalendarYear or CalendarDay is saved or deleted here, and re-read after
CACHE_SECONDS in any case so that other processes (web workers, Celery) see
an import within a minute.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from .models import CalendarDay, CalendarYear

CACHE_SECONDS = 60
# Jumping over off days one by one is cheap with the per-year sets; this bounds
# the search for the next workday so that a corrupt table cannot loop forever.
MAX_OFF_RUN = 366

UNITS = ("working_days", "working_hours", "hours", "minutes")


# --- the per-year sets ----------------------------------------------------------


@dataclass(frozen=True)
class _Year:
    holidays: frozenset
    workdays: frozenset
    provisional: bool  # no notice and no package data: the statutory days only
    loaded_at: float


_cache: dict[int, _Year] = {}
# missing_years() for the portal's warning, by the years asked about: (the
# answer, when it was worked out). Cleared with the years' cache.
_missing: dict[tuple[int, ...], tuple[list[int], float]] = {}
_lock = threading.Lock()
# Set while a change to the tables is inside an uncommitted transaction: what
# we would cache might be rolled back (tests roll back every test), so we read
# from the database until the change commits.
_uncommitted_change = False


def clear_cache() -> None:
    """Forget every cached year (after an import; tests call it between cases)."""
    global _uncommitted_change
    with _lock:
        _cache.clear()
        _missing.clear()
        _uncommitted_change = False


def _on_calendar_change(sender, **kwargs):
    global _uncommitted_change
    with _lock:
        _cache.clear()
        _missing.clear()
        if transaction.get_connection().in_atomic_block:
            _uncommitted_change = True
    transaction.on_commit(clear_cache)


post_save.connect(_on_calendar_change, sender="liaison.CalendarDay", dispatch_uid="workdays-day-save")
post_delete.connect(_on_calendar_change, sender="liaison.CalendarDay", dispatch_uid="workdays-day-delete")
post_save.connect(_on_calendar_change, sender="liaison.CalendarYear", dispatch_uid="workdays-year-save")
post_delete.connect(_on_calendar_change, sender="liaison.CalendarYear", dispatch_uid="workdays-year-delete")


def _load_year(year: int) -> _Year:
    from .calendar_data import fill_provisional, fill_year_from_package  # a real cycle: calendar_data clears this cache

    source = CalendarYear.objects.filter(year=year).values_list("source", flat=True).first()
    if source in (None, CalendarYear.Source.PROVISIONAL):
        # Lazy fill: a fresh database (or a test) gets the package's years on
        # first use (replacing provisional days once a newer package knows
        # the year); a year the package does not know gets the statutory days.
        if fill_year_from_package(year):
            source = CalendarYear.Source.PACKAGE
        elif source is None:
            if fill_provisional(year):
                source = CalendarYear.Source.PROVISIONAL
            else:  # another process filled it meanwhile, or a year beyond the lunar tables
                source = CalendarYear.objects.filter(year=year).values_list("source", flat=True).first()
    holidays, workdays = set(), set()
    # Days entered by hand count even before the year row exists.
    for date, kind in CalendarDay.objects.filter(date__year=year).values_list("date", "kind"):
        (holidays if kind == CalendarDay.Kind.HOLIDAY else workdays).add(date)
    provisional = source == CalendarYear.Source.PROVISIONAL
    return _Year(frozenset(holidays), frozenset(workdays), provisional, time.monotonic())


def _year(year: int, memo: dict | None = None) -> _Year:
    if memo is not None and year in memo:
        return memo[year]
    entry = _cache.get(year)
    if entry is None or time.monotonic() - entry.loaded_at > CACHE_SECONDS or _uncommitted_change:
        entry = _load_year(year)
        if not _uncommitted_change:
            with _lock:
                _cache[year] = entry
    if memo is not None:
        memo[year] = entry
    return entry


def is_workday(d: dt.date, *, _memo: dict | None = None) -> bool:
    """Public holidays off, 调休 weekend workdays on, other weekends off."""
    if isinstance(d, dt.datetime):
        d = _local(d).date()
    entry = _year(d.year, _memo)
    if d in entry.holidays:
        return False
    if d in entry.workdays:
        return True
    return d.weekday() < 5


def is_provisional(d: dt.date) -> bool:
    """Whether the answer for ``d`` is provisional: its year has neither a
    notice nor package data, so only the statutory days of the 全国年节及纪念日
    放假办法 are off (no 调休 is known yet)."""
    if isinstance(d, dt.datetime):
        d = _local(d).date()
    return _year(d.year).provisional


def missing_years(today: dt.date | None = None) -> list[int]:
    """Years whose notice nobody has imported and the package does not know
    (their days are provisional): the current year always, and next year
    from 1 November on.

    November: the State Council publishes the notice between late October
    and early December (the 2026 notice on 2025-11-04, the 2025 one on
    2024-11-12), and the issue's secretary pastes it "in November"; the
    warning says to import it once it is out, and an early warning costs
    less than deadlines silently computed without the holidays."""
    from .calendar_data import fill_year_from_package  # a real cycle: calendar_data clears this cache

    asked_for_today = today is None
    today = today or timezone.localdate()
    years = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    # The portal asks on every page the secretariat opens: the answer is kept
    # like the years' sets (CACHE_SECONDS, dropped on a calendar change here),
    # sparing each page two queries and a probe of the package (issue 12).
    key = tuple(years)
    kept = _missing.get(key) if asked_for_today and not _uncommitted_change else None
    if kept is not None and time.monotonic() - kept[1] <= CACHE_SECONDS:
        return list(kept[0])
    present = set(
        CalendarYear.objects.filter(year__in=years)
        .exclude(source=CalendarYear.Source.PROVISIONAL)
        .values_list("year", flat=True)
    )
    missing = [year for year in years if year not in present and not fill_year_from_package(year)]
    if asked_for_today and not _uncommitted_change:
        with _lock:
            _missing[key] = (missing, time.monotonic())
    return list(missing)


# --- working hours --------------------------------------------------------------


def _tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _local(moment: dt.datetime) -> dt.datetime:
    if timezone.is_naive(moment):
        # Contract: aware in. A naive value is read as local wall-clock time
        # rather than refused, as Django itself does for form input.
        return moment.replace(tzinfo=_tz())
    return moment.astimezone(_tz())


def _periods() -> list[tuple[dt.time, dt.time]]:
    """settings.WORKING_HOURS as times (strings such as "09:00" are accepted
    too, for tests and hand-written settings)."""
    return [tuple(t if isinstance(t, dt.time) else dt.time.fromisoformat(t) for t in period)
            for period in settings.WORKING_HOURS]


def _span(a: dt.time, b: dt.time) -> dt.timedelta:
    return dt.datetime.combine(dt.date.min, b) - dt.datetime.combine(dt.date.min, a)


def working_day_length() -> dt.timedelta:
    """One day's working time (7 hours with the default hours)."""
    return sum((_span(s, e) for s, e in _periods()), dt.timedelta())


def _next_workday(d: dt.date, memo: dict) -> dt.date:
    for _ in range(MAX_OFF_RUN):
        if is_workday(d, _memo=memo):
            return d
        d += dt.timedelta(days=1)
    raise ValueError("no workday within a year of %s: check the calendar table" % d)


def add_working_time(moment: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """The moment when ``delta`` of working time has passed after ``moment``.
    Time outside working hours (nights, lunch, weekends, holidays) does not
    count; a moment outside them counts from the next working moment."""
    if delta < dt.timedelta(0):
        raise ValueError("delta must not be negative")
    tz = _tz()
    local = _local(moment)
    periods = _periods()
    day_length = working_day_length()
    if not periods or day_length <= dt.timedelta(0):
        raise ValueError("settings.WORKING_HOURS has no working period")
    memo: dict = {}
    remaining = delta
    day = local.date()
    cursor = local.replace(tzinfo=None).time()
    while True:
        if not is_workday(day, _memo=memo):
            day = _next_workday(day, memo)
            cursor = dt.time.min
        if cursor == dt.time.min and remaining > day_length:
            # A whole working day fits: skip it without walking its periods.
            remaining -= day_length
            day += dt.timedelta(days=1)
            continue
        for start, end in periods:
            if end <= cursor:
                continue
            begin = max(start, cursor)
            available = _span(begin, end)
            if remaining <= available:
                return dt.datetime.combine(day, begin, tzinfo=tz) + remaining
            remaining -= available
        day += dt.timedelta(days=1)
        cursor = dt.time.min


def add_working_days(moment: dt.datetime, n: int) -> dt.datetime:
    """``n`` whole working days after ``moment``: n × one day's working time,
    so Monday 10:00 + 1 is Tuesday 10:00 and Friday 16:00 + 1 is the next
    workday's 16:00."""
    if n < 0:
        raise ValueError("n must not be negative")
    return add_working_time(moment, working_day_length() * n)


def working_time_between(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """The working time between two moments; zero when end is not after start."""
    start, end = _local(start), _local(end)
    if end <= start:
        return dt.timedelta(0)
    tz = _tz()
    periods = _periods()
    day_length = working_day_length()
    memo: dict = {}
    total = dt.timedelta(0)
    day = start.date()
    last = end.date()
    while day <= last:
        if is_workday(day, _memo=memo):
            if start.date() < day < last:
                total += day_length
            else:
                for p_start, p_end in periods:
                    a = max(dt.datetime.combine(day, p_start, tzinfo=tz), start)
                    b = min(dt.datetime.combine(day, p_end, tzinfo=tz), end)
                    if b > a:
                        total += b - a
        day += dt.timedelta(days=1)
    return total


# --- time limits ----------------------------------------------------------------


def due_after(moment: dt.datetime, amount: int, unit: str) -> dt.datetime:
    """A due moment ``amount`` ``unit`` after ``moment``: working_days and
    working_hours count working time only; hours and minutes are plain clock
    time (the domain's urgent limits)."""
    if amount < 0:
        raise ValueError("amount must not be negative")
    if unit == "working_days":
        return add_working_days(moment, amount)
    if unit == "working_hours":
        return add_working_time(moment, dt.timedelta(hours=amount))
    if unit == "hours":
        return _local(moment) + dt.timedelta(hours=amount)
    if unit == "minutes":
        return _local(moment) + dt.timedelta(minutes=amount)
    raise ValueError("unknown unit %r (expected one of %s)" % (unit, ", ".join(UNITS)))


def limit_due(kind: str, urgency: str, moment: dt.datetime) -> dt.datetime:
    """The due moment of a time limit from settings.TIME_LIMITS
    (kind "review"/"response", urgency "normal"/"urgent"/"extra_urgent")."""
    try:
        amount, unit = settings.TIME_LIMITS[kind][urgency]
    except KeyError:
        raise ValueError("no time limit for %r / %r in settings.TIME_LIMITS" % (kind, urgency)) from None
    return due_after(moment, amount, unit)


def end_of_working_day(moment: dt.datetime) -> dt.datetime:
    """The end of the working day ``moment`` falls in (the last working
    period's end), or of the next working day when ``moment`` is on an off
    day or after that day's hours: "the same day, never the next" (不得隔日,
    seed 001 §3 五.1)."""
    tz = _tz()
    local = _local(moment)
    periods = _periods()
    if not periods:
        raise ValueError("settings.WORKING_HOURS has no working period")
    last_end = max(end for _start, end in periods)
    memo: dict = {}
    day = local.date()
    if not is_workday(day, _memo=memo) or local.replace(tzinfo=None).time() >= last_end:
        day = _next_workday(day + dt.timedelta(days=1) if is_workday(day, _memo=memo) else day, memo)
    return dt.datetime.combine(day, last_end, tzinfo=tz)
