"""Filling the calendar tables (CalendarYear, CalendarDay, HolidayNotice).

Three sources, the later replacing the earlier:

- for a year nobody has data for, the statutory days of the 全国年节及纪念日
  放假办法 (2024 revision), computed: lunar dates with ``lunardate``, 清明
  with chinesecalendar's solar terms. Marked provisional (source
  "provisional") wherever they show;
- the ``chinesecalendar`` package, which knows the years up to the one it was
  released for (it raises NotImplementedError beyond);
- the State Council's notices as the secretariat pastes them
  (liaison.holiday_notice): the yearly notice, and supplementary notices that
  amend a year.

Every day carries ``plan_year``, the year whose arrangement set it: notice Y
may set days in December of Y-1 (元旦), and importing notice Y replaces the
days of plan Y only, so what notice Y+1 set in December of Y stays.

``liaison.workdays`` reads the tables; it fills a year on first use, and the
beat schedule calls ``fill_from_chinesecalendar`` so that a newer package
fills the next year (and replaces provisional days) without anyone asking.
"""
from __future__ import annotations

import datetime as dt
import logging

import chinese_calendar
from chinese_calendar import constants, get_solar_terms
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from lunardate import LunarDate

from . import audit
from .models import AuditEntry, CalendarDay, CalendarYear, HolidayNotice

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


def plan_year_of(date: dt.date, name: str) -> int:
    """The year whose arrangement a day belongs to: a December day of a 元旦
    holiday (or its 调休 workday) belongs to the next year's."""
    return date.year + 1 if date.month == 12 and "元旦" in (name or "") else date.year


def statutory_days(year: int) -> list[tuple[dt.date, str]]:
    """``[(date, festival)]``: the days off that the 全国年节及纪念日放假办法
    (as revised in 2024) fixes, without any 调休: 元旦 1 January; 春节 除夕 to
    正月初三 (4 days); 清明 (the solar term's day); 劳动节 1–2 May; 端午 (五月
    初五); 中秋 (八月十五); 国庆 1–3 October. A lunar festival in a leap year
    falls in the first (non-leap) month of that number, as the 办法 says."""
    new_year = LunarDate(year, 1, 1).to_solar_date()
    qingming = [d for d, name in get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 30)) if name == "清明"]
    if len(qingming) != 1:
        raise ValueError("no 清明 found in April %s" % year)
    days = [(dt.date(year, 1, 1), "元旦")]
    days += [(new_year + dt.timedelta(days=i), "春节") for i in range(-1, 3)]
    days += [(qingming[0], "清明节")]
    days += [(dt.date(year, 5, 1), "劳动节"), (dt.date(year, 5, 2), "劳动节")]
    days += [(LunarDate(year, 5, 5).to_solar_date(), "端午节")]
    days += [(LunarDate(year, 8, 15).to_solar_date(), "中秋节")]
    days += [(dt.date(year, 10, d), "国庆节") for d in (1, 2, 3)]
    # 中秋 can fall on 1–3 October (2028): one day, one row, the first name.
    seen, result = set(), []
    for date, name in sorted(days):
        if date not in seen:
            seen.add(date)
            result.append((date, name))
    return result


def fill_provisional(year: int) -> bool:
    """Store a year's statutory days as provisional unless the year already
    has a CalendarYear row. Days already in the table (the December days of
    the next year's notice, days entered by hand) are kept. Returns whether
    the year was filled."""
    if CalendarYear.objects.filter(year=year).exists():
        return False
    try:
        days = statutory_days(year)
    except ValueError:  # outside the lunar tables (1900–2099): weekends only
        logger.warning("calendar: cannot compute the statutory days of %s", year)
        return False
    try:
        with transaction.atomic():
            CalendarYear.objects.bulk_create([CalendarYear(year=year, source=CalendarYear.Source.PROVISIONAL)])
            CalendarDay.objects.bulk_create(
                [
                    CalendarDay(
                        date=d, kind=CalendarDay.Kind.HOLIDAY, name=n, source=CalendarYear.Source.PROVISIONAL, plan_year=year
                    )
                    for d, n in days
                ],
                ignore_conflicts=True,
            )
    except IntegrityError:
        return False
    logger.info("calendar: %s has no notice; filled its %s statutory days, provisionally", year, len(days))
    return True


def fill_year_from_package(year: int) -> bool:
    """Store a year from chinesecalendar unless it already has a CalendarYear
    row (the secretariat's notice or edits win); provisional days are
    replaced. Days already in the table (entered by hand, or set in December
    by the next year's notice) are kept. Returns whether the year was filled;
    False also for a year the package does not know."""
    source = CalendarYear.objects.filter(year=year).values_list("source", flat=True).first()
    if source is not None and source != CalendarYear.Source.PROVISIONAL:
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
            if source == CalendarYear.Source.PROVISIONAL:
                updated = CalendarYear.objects.filter(year=year, source=CalendarYear.Source.PROVISIONAL).update(
                    source=CalendarYear.Source.PACKAGE, updated_at=timezone.now()
                )
                if not updated:
                    return False
                CalendarDay.objects.filter(plan_year=year, source=CalendarYear.Source.PROVISIONAL).delete()
            else:
                # bulk_create sends no post_save: the workdays cache need not be
                # dropped for data that the package would give again anyway.
                CalendarYear.objects.bulk_create([CalendarYear(year=year, source=CalendarYear.Source.PACKAGE)])
            CalendarDay.objects.bulk_create(
                [
                    CalendarDay(date=d, kind=k, name=n, source=CalendarYear.Source.PACKAGE, plan_year=plan_year_of(d, n))
                    for d, k, n in days
                ],
                ignore_conflicts=True,
            )
    except IntegrityError:
        return False
    if source == CalendarYear.Source.PROVISIONAL:
        from .workdays import clear_cache  # a real cycle: workdays fills years from here

        transaction.on_commit(clear_cache)
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


def _lock_year(year: int) -> CalendarYear:
    # Make sure the year row exists, then lock it, so that two imports of the
    # same year (or an import and the lazy fill) run one after the other
    # instead of interleaving their deletes and inserts.
    CalendarYear.objects.get_or_create(year=year, defaults={"source": CalendarYear.Source.NOTICE})
    return CalendarYear.objects.select_for_update().get(year=year)


def _tag(row, actor, reason):
    if actor is not None:
        row._history_user = actor
    row._change_reason = reason
    return row


def _actor(actor):
    return actor if actor is not None and actor.is_authenticated else None


def replaced_days(notice) -> list[CalendarDay]:
    """The stored days that importing ``notice`` would replace: for a yearly
    notice every day of its plan year (from the package, the statutory
    provisional days, hand edits, an earlier import), and any day of another
    plan at a date the notice names; never a day that a supplementary notice
    of that year set (it came later and still holds). For a supplementary
    notice, the days at the dates it names."""
    dates = [day.date for day in notice.days]
    if notice.amendment:
        return list(CalendarDay.objects.filter(date__in=dates).order_by("date"))
    rows = CalendarDay.objects.filter(
        Q(plan_year=notice.year) | Q(plan_year__isnull=True, date__year=notice.year) | Q(date__in=dates)
    ).exclude(notice__kind=HolidayNotice.Kind.AMENDMENT, plan_year=notice.year)
    return list(rows.order_by("date"))


def amended_days(notice) -> list[CalendarDay]:
    """The days that supplementary notices set for the notice's year: a
    yearly notice imported again leaves them as they are."""
    if notice.amendment:
        return []
    return list(
        CalendarDay.objects.filter(plan_year=notice.year, notice__kind=HolidayNotice.Kind.AMENDMENT).order_by("date")
    )


@transaction.atomic
def store_notice(*, notice, text: str, actor=None, request=None) -> CalendarYear:
    """Store a parsed State Council notice (liaison.holiday_notice.ParsedNotice).

    A yearly notice replaces the days of its plan year (``replaced_days``):
    the days of notice Y in December of Y-1 replace those dates, and the days
    that notice Y+1 set in December of Y stay. A supplementary notice
    (``notice.amendment``) replaces only the dates it names. Each day is
    stored with the notice (HolidayNotice) and the sentence it came from.
    Records the change in the audit log. Raises nothing of its own."""
    year = notice.year
    if notice.amendment and not fill_year_from_package(year):
        # An amendment changes some days of a year: the others are what the
        # calendar had (the package's, or the statutory days, provisional).
        fill_provisional(year)
    calendar_year = _lock_year(year)
    reason = "import amendment" if notice.amendment else "import notice"
    record = HolidayNotice.objects.create(
        year=year,
        kind=HolidayNotice.Kind.AMENDMENT if notice.amendment else HolidayNotice.Kind.YEARLY,
        title=notice.title[:200],
        text=text,
        imported_by=_actor(actor),
    )
    if not notice.amendment:
        calendar_year.source = CalendarYear.Source.NOTICE
        calendar_year.notice_title = notice.title[:200]
        calendar_year.notice_text = text
    calendar_year.updated_at = timezone.now()
    calendar_year.updated_by = _actor(actor)
    _tag(calendar_year, actor, reason)
    calendar_year.save()

    kept = {row.date for row in amended_days(notice)}
    for row in replaced_days(notice):
        _tag(row, actor, reason).delete()
    for day in notice.days:
        if day.date in kept:
            continue
        _tag(
            CalendarDay(
                date=day.date,
                kind=day.kind,
                name=day.name[:50],
                source=CalendarYear.Source.NOTICE,
                plan_year=year,
                notice=record,
                sentence=day.sentence,
            ),
            actor,
            reason,
        ).save()

    _audit(calendar_year, notice, actor, request)
    # liaison.workdays drops its cache on the rows' post_save/post_delete.
    return calendar_year


def current_days(year: int) -> dict[dt.date, tuple[str, str]]:
    """``{date: (kind, name)}`` of a plan year as stored (filled from the
    package or provisionally first, as the calendar would): what a
    supplementary notice amends."""
    from . import workdays  # a real cycle: workdays fills years from here

    workdays.is_workday(dt.date(year, 6, 30))  # the same lazy fill the calendar does
    rows = CalendarDay.objects.filter(Q(plan_year=year) | Q(plan_year__isnull=True, date__year=year))
    return {row.date: (row.kind, row.name) for row in rows}


def _audit(calendar_year, notice, actor, request):
    holidays = len(notice.holidays)
    what = "导入补充通知" if notice.amendment else "导入放假通知"
    audit.record(
        AuditEntry.Action.SETTINGS_CHANGE,
        user=_actor(actor),
        request=request,
        obj=calendar_year,
        detail="%(what)s：%(title)s；放假 %(holidays)s 天，调休上班 %(workdays)s 天"
        % {"what": what, "title": notice.title, "holidays": holidays, "workdays": len(notice.days) - holidays},
    )
