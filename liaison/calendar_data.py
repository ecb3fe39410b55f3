"""Filling the calendar tables (CalendarYear, CalendarDay).

Two sources: the ``chinesecalendar`` package, which knows the years up to the
one it was released for (it raises NotImplementedError beyond), and the State
Council's yearly notice as the secretariat pastes it (liaison.holiday_notice).
``liaison.workdays`` reads the tables; it fills a year from the package on
first use, and the beat schedule calls ``fill_from_chinesecalendar`` so that a
newer package fills the next year without anyone asking.
"""
from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import CalendarDay, CalendarYear

logger = logging.getLogger(__name__)

FIRST_PACKAGE_YEAR = 2004

# chinesecalendar names its holidays in English; the tables speak Chinese.
PACKAGE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def package_days(year: int) -> list[tuple[dt.date, str, str]]:
    """``[(date, kind, name)]`` of a year from chinesecalendar, in date order.
    Raises NotImplementedError for a year the package does not know."""
    import chinese_calendar
    from chinese_calendar import constants

    # The package's own check: raises NotImplementedError outside its range.
    chinese_calendar.is_workday(dt.date(year, 1, 1))
    chinese_calendar.is_workday(dt.date(year, 12, 31))
    days = [
        (day, CalendarDay.Kind.HOLIDAY, PACKAGE_NAMES.get(name, name))
        for day, name in constants.holidays.items()
        if day.year == year
    ]
    days += [
        (day, CalendarDay.Kind.WORKDAY, PACKAGE_NAMES.get(name, name))
        for day, name in constants.workdays.items()
        if day.year == year
    ]
    return sorted(days)


def package_knows(year: int) -> bool:
    try:
        package_days(year)
    except NotImplementedError:
        return False
    return True


def fill_year_from_package(year: int) -> bool:
    """Store a year from chinesecalendar unless it already has a CalendarYear
    row (the secretariat's notice or edits win). Days already in the table
    (entered by hand before the year row existed) are kept. Returns whether
    the year was filled; False also for a year the package does not know."""
    if CalendarYear.objects.filter(year=year).exists():
        return False
    try:
        days = package_days(year)
    except NotImplementedError:
        return False
    try:
        # A savepoint: two processes filling the same year at once collide on
        # the unique year; the loser's failure must not poison the caller's
        # transaction.
        with transaction.atomic():
            # bulk_create sends no post_save: the workdays cache need not be
            # dropped for data that the package would give again anyway.
            CalendarYear.objects.bulk_create([CalendarYear(year=year, source=CalendarYear.Source.PACKAGE)])
            CalendarDay.objects.bulk_create(
                [CalendarDay(date=d, kind=k, name=n, source=CalendarYear.Source.PACKAGE) for d, k, n in days],
                ignore_conflicts=True,
            )
    except IntegrityError:
        return False
    logger.info("calendar: filled %s from chinesecalendar (%s days)", year, len(days))
    return True


def fill_from_chinesecalendar(years=None) -> list[int]:
    """Fill every year the package knows (from 2004 to next year) that has no
    CalendarYear row yet; returns the years filled. Run by the beat schedule
    (liaison.tasks.refresh_calendar) and safe to run any number of times."""
    if years is None:
        years = range(FIRST_PACKAGE_YEAR, timezone.localdate().year + 2)
    # No cache to drop: a year the package fills now is one it knew before,
    # so liaison.workdays already answered with these very days.
    return [year for year in years if fill_year_from_package(year)]


@transaction.atomic
def store_notice(*, notice, text: str, actor=None, request=None) -> CalendarYear:
    """Replace a year's holidays and 调休 workdays with those of a parsed State
    Council notice (liaison.holiday_notice.ParsedNotice): every CalendarDay of
    that year is deleted and the notice's days are written, with source
    "notice". A date of another year that the notice names explicitly (the
    元旦 of a notice may reach back into December) replaces that single day.
    Records the change in the audit log. Raises nothing of its own."""
    year = notice.year
    # Make sure the year row exists, then lock it, so that two imports of the
    # same year (or an import and the lazy fill) run one after the other
    # instead of interleaving their deletes and inserts.
    CalendarYear.objects.get_or_create(year=year, defaults={"source": CalendarYear.Source.NOTICE})
    calendar_year = CalendarYear.objects.select_for_update().get(year=year)
    calendar_year.source = CalendarYear.Source.NOTICE
    calendar_year.notice_title = notice.title[:200]
    calendar_year.notice_text = text
    calendar_year.updated_at = timezone.now()
    calendar_year.updated_by = actor if actor is not None and actor.is_authenticated else None
    if actor is not None:
        calendar_year._history_user = actor
    calendar_year._change_reason = "import notice"
    calendar_year.save()

    other_dates = [day.date for day in notice.days if day.date.year != year]
    for row in CalendarDay.objects.filter(date__year=year) | CalendarDay.objects.filter(date__in=other_dates):
        if actor is not None:
            row._history_user = actor
        row._change_reason = "import notice"
        row.delete()
    for day in notice.days:
        row = CalendarDay(date=day.date, kind=day.kind, name=day.name[:50], source=CalendarYear.Source.NOTICE)
        if actor is not None:
            row._history_user = actor
        row._change_reason = "import notice"
        row.save()

    _audit(calendar_year, notice, actor, request)
    # liaison.workdays drops its cache on the rows' post_save/post_delete.
    return calendar_year


def _audit(calendar_year, notice, actor, request):
    from . import audit
    from .models import AuditEntry

    holidays = len(notice.holidays)
    audit.record(
        AuditEntry.Action.SETTINGS_CHANGE,
        user=actor if actor is not None and actor.is_authenticated else None,
        request=request,
        obj=calendar_year,
        detail="导入放假通知：%(title)s；放假 %(holidays)s 天，调休上班 %(workdays)s 天"
        % {"title": notice.title, "holidays": holidays, "workdays": len(notice.days) - holidays},
    )
