"""liaison.workdays: working days with 2026's holidays and 调休, office hours,
lunch, year end into a year with no data, and the time limits."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from liaison import workdays
from liaison.calendar_data import fill_from_chinesecalendar
from liaison.models import CalendarDay, CalendarYear
from liaison.workdays import (
    add_working_days,
    add_working_time,
    due_after,
    is_workday,
    limit_due,
    missing_years,
    working_time_between,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
H = dt.timedelta(hours=1)


def at(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fresh_cache():
    workdays.clear_cache()
    yield
    workdays.clear_cache()


# --- is_workday -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "day, expected",
    [
        ("2026-01-01", False),  # 元旦 (Thursday)
        ("2026-01-04", True),  # 调休 Sunday
        ("2026-02-13", True),  # Friday before the Spring Festival
        ("2026-02-14", True),  # 调休 Saturday
        ("2026-02-15", False),  # 春节 starts (Sunday)
        ("2026-02-16", False),  # Monday inside the holiday
        ("2026-02-23", False),  # last day, a Monday
        ("2026-02-24", True),
        ("2026-02-28", True),  # 调休 Saturday after the festival
        ("2026-03-07", False),  # an ordinary Saturday
        ("2026-09-20", True),  # 调休 Sunday before National Day
        ("2026-10-01", False),
        ("2026-10-07", False),
        ("2026-10-08", True),
        ("2026-10-10", True),  # 调休 Saturday
    ],
)
def test_2026_holidays_and_adjusted_workdays(day, expected):
    assert is_workday(dt.date.fromisoformat(day)) is expected


@pytest.mark.django_db
def test_first_use_fills_the_year_from_the_package():
    assert not CalendarYear.objects.exists()

    is_workday(dt.date(2026, 5, 6))

    year = CalendarYear.objects.get(year=2026)
    assert year.source == CalendarYear.Source.PACKAGE
    assert CalendarDay.objects.filter(date__year=2026, kind=CalendarDay.Kind.HOLIDAY).count() == 33
    assert CalendarDay.objects.filter(date__year=2026, kind=CalendarDay.Kind.WORKDAY).count() == 6


STATUTORY_2027 = {
    dt.date(2027, 1, 1): "元旦",
    # 除夕 to 正月初三: the lunar new year 2027 is 6 February.
    dt.date(2027, 2, 5): "春节",
    dt.date(2027, 2, 6): "春节",
    dt.date(2027, 2, 7): "春节",
    dt.date(2027, 2, 8): "春节",
    dt.date(2027, 4, 5): "清明节",  # the solar term 清明
    dt.date(2027, 5, 1): "劳动节",
    dt.date(2027, 5, 2): "劳动节",
    dt.date(2027, 6, 9): "端午节",  # 五月初五
    dt.date(2027, 9, 15): "中秋节",  # 八月十五
    dt.date(2027, 10, 1): "国庆节",
    dt.date(2027, 10, 2): "国庆节",
    dt.date(2027, 10, 3): "国庆节",
}


@pytest.mark.django_db
def test_year_without_data_gets_the_statutory_days_provisionally():
    assert is_workday(dt.date(2027, 1, 1)) is False  # 元旦, a Friday
    assert is_workday(dt.date(2027, 1, 2)) is False  # a Saturday
    assert is_workday(dt.date(2027, 2, 5)) is False  # 除夕, a Friday
    assert is_workday(dt.date(2027, 2, 8)) is False  # 正月初三, a Monday
    assert is_workday(dt.date(2027, 2, 9)) is True
    assert is_workday(dt.date(2027, 4, 5)) is False  # 清明, a Monday
    assert is_workday(dt.date(2027, 6, 9)) is False  # 端午, a Wednesday
    assert is_workday(dt.date(2027, 9, 15)) is False  # 中秋, a Wednesday
    assert is_workday(dt.date(2027, 10, 4)) is True  # 国庆 is 3 days without a notice
    assert workdays.is_provisional(dt.date(2027, 3, 1)) is True
    assert workdays.is_provisional(dt.date(2026, 3, 1)) is False

    assert CalendarYear.objects.get(year=2027).source == CalendarYear.Source.PROVISIONAL
    rows = CalendarDay.objects.filter(date__year=2027)
    assert {row.date: row.name for row in rows} == STATUTORY_2027
    assert {(row.kind, row.source, row.plan_year) for row in rows} == {("holiday", "provisional", 2027)}
    # …and the portal still warns: no notice for 2027.
    assert missing_years(dt.date(2027, 3, 1)) == [2027]


@pytest.mark.django_db
def test_deadline_in_a_year_without_notice_skips_the_provisional_spring_festival():
    assert add_working_days(at("2027-02-04 10:00"), 1) == at("2027-02-09 10:00")
    assert add_working_time(at("2027-04-02 17:00"), 2 * H) == at("2027-04-06 10:30")


def test_statutory_days_follow_the_lunar_calendar_of_every_year_the_package_knows():
    """The computed festivals (lunardate, chinesecalendar's solar terms) are
    days off in every year the State Council has set, 2008–2026."""
    from chinese_calendar import constants

    from liaison.calendar_data import statutory_days

    for year in range(2008, 2027):
        days = dict(statutory_days(year))
        lunar = [d for d, name in days.items() if name in ("清明节", "端午节", "中秋节")]
        spring = sorted(d for d, name in days.items() if name == "春节")
        assert len(spring) == 4 and len(lunar) == 3, year
        # 初一 and 初二 were off every year; 除夕 and 初三 only since the revisions.
        for day in lunar + spring[1:3]:
            # Off in the package's data (which leaves out some weekend days
            # inside a holiday, such as 端午 2012-06-23, a Saturday).
            off = day in constants.holidays or (day.weekday() >= 5 and day not in constants.workdays)
            assert off, (year, day)


@pytest.mark.django_db
def test_a_newer_package_replaces_the_provisional_days(monkeypatch):
    assert is_workday(dt.date(2027, 10, 4)) is True
    from liaison import calendar_data

    monkeypatch.setattr(
        calendar_data,
        "package_days",
        lambda year: [(dt.date(2027, 10, d), "holiday", "国庆节") for d in range(1, 8)]
        + [(dt.date(2027, 10, 9), "workday", "国庆节")],
    )
    workdays.clear_cache()

    assert is_workday(dt.date(2027, 10, 4)) is False
    assert is_workday(dt.date(2027, 10, 9)) is True
    assert is_workday(dt.date(2027, 2, 8)) is True  # the provisional 春节 is gone with the rest
    assert workdays.is_provisional(dt.date(2027, 5, 1)) is False
    assert CalendarYear.objects.get(year=2027).source == CalendarYear.Source.PACKAGE
    assert not CalendarDay.objects.filter(source="provisional").exists()


@pytest.mark.django_db
def test_day_entered_by_hand_takes_effect_at_once_and_goes_when_deleted():
    assert is_workday(dt.date(2027, 3, 1)) is True

    day = CalendarDay.objects.create(
        date=dt.date(2027, 3, 1), kind=CalendarDay.Kind.HOLIDAY, name="停电", source=CalendarYear.Source.MANUAL
    )
    assert is_workday(dt.date(2027, 3, 1)) is False

    day.delete()
    assert is_workday(dt.date(2027, 3, 1)) is True


@pytest.mark.django_db
def test_secretariat_edit_of_a_package_year_wins_over_the_cache():
    assert is_workday(dt.date(2026, 3, 2)) is True

    CalendarDay.objects.create(date=dt.date(2026, 3, 2), kind=CalendarDay.Kind.HOLIDAY, source="manual")

    assert is_workday(dt.date(2026, 3, 2)) is False
    assert add_working_days(at("2026-02-27 10:00"), 1) == at("2026-02-28 10:00")
    assert add_working_days(at("2026-02-28 10:00"), 1) == at("2026-03-03 10:00")


@pytest.mark.django_db
def test_refresh_fills_every_package_year_once():
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=SHANGHAI), tick=False):
        filled = fill_from_chinesecalendar()
        again = fill_from_chinesecalendar()

    assert filled == list(range(2004, 2027))
    assert again == []
    assert CalendarYear.objects.filter(year=2027).exists() is False


@pytest.mark.django_db
def test_refresh_keeps_a_year_the_secretariat_entered():
    CalendarYear.objects.create(year=2026, source=CalendarYear.Source.MANUAL)

    filled = fill_from_chinesecalendar([2025, 2026])

    assert filled == [2025]
    assert CalendarYear.objects.get(year=2026).source == CalendarYear.Source.MANUAL
    assert not CalendarDay.objects.filter(date__year=2026).exists()


# --- working days -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start, n, expected",
    [
        ("2026-03-02 10:00", 1, "2026-03-03 10:00"),  # Monday → Tuesday
        ("2026-03-06 16:00", 1, "2026-03-09 16:00"),  # Friday → Monday
        ("2026-03-02 09:00", 1, "2026-03-02 17:30"),  # a whole day ends at 17:30, not next morning
        # Spring Festival week
        ("2026-02-13 16:00", 1, "2026-02-14 16:00"),  # the 14th is a 调休 Saturday
        ("2026-02-14 17:00", 1, "2026-02-24 17:00"),  # half an hour, then the holiday to the 23rd
        ("2026-02-13 16:00", 2, "2026-02-24 16:00"),
        ("2026-02-27 16:00", 1, "2026-02-28 16:00"),  # 调休 Saturday after the festival
        ("2026-02-28 16:00", 1, "2026-03-02 16:00"),
        # National Day week
        ("2026-09-18 16:00", 1, "2026-09-20 16:00"),  # Friday → 调休 Sunday
        ("2026-09-30 10:00", 1, "2026-10-08 10:00"),
        ("2026-09-30 16:00", 1, "2026-10-08 16:00"),
        ("2026-10-09 16:00", 1, "2026-10-10 16:00"),  # 调休 Saturday
        ("2026-10-10 16:00", 1, "2026-10-12 16:00"),
        # after hours and weekends count from the next working moment
        ("2026-03-02 18:00", 1, "2026-03-03 17:30"),
        ("2026-03-07 10:00", 1, "2026-03-09 17:30"),  # Saturday
        ("2026-02-16 10:00", 1, "2026-02-24 17:30"),  # inside the holiday
        # year end into 2027, for which no notice is out: 元旦 is off provisionally
        ("2026-12-31 16:00", 1, "2027-01-04 16:00"),
        ("2027-01-01 16:00", 1, "2027-01-04 17:30"),  # on the holiday: from Monday 09:00
        ("2026-12-30 10:00", 3, "2027-01-05 10:00"),
        ("2026-03-02 10:00", 0, "2026-03-02 10:00"),
    ],
)
def test_add_working_days(start, n, expected):
    assert add_working_days(at(start), n) == at(expected)


@pytest.mark.django_db
def test_a_long_run_does_not_query_day_by_day(django_assert_max_num_queries):
    is_workday(dt.date(2026, 1, 5))  # fill 2026 first

    # Reading 2027 once includes filling its provisional days (year row, days).
    with django_assert_max_num_queries(8):
        due = add_working_days(at("2026-01-05 09:00"), 300)

    assert working_time_between(at("2026-01-05 09:00"), due) == 300 * 7 * H
    assert due.year == 2027


# --- working time -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start, hours, expected",
    [
        ("2026-03-02 10:00", 1, "2026-03-02 11:00"),
        ("2026-03-02 11:00", 1, "2026-03-02 12:00"),  # ends at lunch, stays before it
        ("2026-03-02 11:30", 1, "2026-03-02 14:00"),  # lunch does not count
        ("2026-03-02 12:30", 1, "2026-03-02 14:30"),  # at lunch: counts from 13:30
        ("2026-03-02 12:00", 0, "2026-03-02 13:30"),
        ("2026-03-02 16:30", 1, "2026-03-02 17:30"),  # lands on the end of the day
        ("2026-03-02 17:00", 2, "2026-03-03 10:30"),
        ("2026-03-02 18:00", 1, "2026-03-03 10:00"),  # after hours: from next morning 09:00
        ("2026-03-02 07:00", 1, "2026-03-02 10:00"),  # before hours
        ("2026-03-02 17:30", 0.5, "2026-03-03 09:30"),
        ("2026-02-13 17:00", 2, "2026-02-14 10:30"),  # into the 调休 Saturday
        ("2026-02-14 17:00", 2, "2026-02-24 10:30"),  # over the Spring Festival
        ("2026-12-31 17:00", 1, "2027-01-04 09:30"),  # 2027 has no notice: 元旦 is off provisionally
    ],
)
def test_add_working_time(start, hours, expected):
    assert add_working_time(at(start), dt.timedelta(hours=hours)) == at(expected)


@pytest.mark.django_db
def test_result_is_in_the_configured_zone_whatever_zone_comes_in():
    moment = dt.datetime(2026, 2, 13, 8, 0, tzinfo=dt.timezone.utc)  # 16:00 in Shanghai

    due = add_working_days(moment, 1)

    assert due == at("2026-02-14 16:00")
    assert due.tzinfo.key == "Asia/Shanghai"
    assert due.utcoffset() == dt.timedelta(hours=8)


@pytest.mark.django_db
def test_working_hours_follow_the_setting(settings):
    settings.WORKING_HOURS = [(dt.time(8, 0), dt.time(12, 0)), (dt.time(14, 0), dt.time(18, 0))]

    assert add_working_days(at("2026-03-02 10:00"), 1) == at("2026-03-03 10:00")
    assert add_working_time(at("2026-03-02 12:30"), H) == at("2026-03-02 15:00")
    assert add_working_time(at("2026-03-02 17:30"), H) == at("2026-03-03 08:30")


@pytest.mark.django_db
def test_negative_amounts_are_refused():
    with pytest.raises(ValueError):
        add_working_time(at("2026-03-02 10:00"), -H)
    with pytest.raises(ValueError):
        add_working_days(at("2026-03-02 10:00"), -1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start, end, expected",
    [
        ("2026-03-02 10:00", "2026-03-02 11:00", H),
        ("2026-03-02 11:30", "2026-03-02 14:00", H),
        ("2026-03-02 12:10", "2026-03-02 12:50", dt.timedelta(0)),  # lunch
        ("2026-03-02 18:00", "2026-03-03 08:00", dt.timedelta(0)),  # night
        ("2026-02-13 17:00", "2026-02-24 10:00", 8.5 * H),  # 0.5 + 7 (调休 Saturday) + 1
        ("2026-09-30 10:00", "2026-10-08 10:00", 7 * H),
        ("2026-03-02 11:00", "2026-03-02 10:00", dt.timedelta(0)),  # end before start
        ("2026-03-02 10:00", "2026-03-02 10:00", dt.timedelta(0)),
    ],
)
def test_working_time_between(start, end, expected):
    assert working_time_between(at(start), at(end)) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start", ["2026-02-13 16:00", "2026-02-14 11:15", "2026-09-30 13:30", "2026-12-31 09:00", "2026-03-02 17:29"]
)
@pytest.mark.parametrize("minutes", [1, 45, 150, 420, 421, 2000, 7 * 60 * 10])
def test_working_time_between_inverts_add_working_time(start, minutes):
    delta = dt.timedelta(minutes=minutes)

    assert working_time_between(at(start), add_working_time(at(start), delta)) == delta


# --- time limits --------------------------------------------------------------------


@pytest.mark.django_db
def test_due_after_units():
    start = at("2026-02-13 16:00")

    assert due_after(start, 1, "working_days") == at("2026-02-14 16:00")
    assert due_after(start, 2, "working_hours") == at("2026-02-14 09:30")
    assert due_after(start, 2, "hours") == at("2026-02-13 18:00")  # plain clock hours
    assert due_after(start, 30, "minutes") == at("2026-02-13 16:30")
    with pytest.raises(ValueError):
        due_after(start, 1, "weeks")


@pytest.mark.django_db
def test_limit_due_follows_the_time_limits_setting(settings):
    start = at("2026-09-30 16:00")

    assert limit_due("review", "normal", start) == at("2026-10-08 16:00")
    assert limit_due("response", "normal", start) == at("2026-10-09 16:00")
    # 紧急 counts working hours by default: 1.5 h before National Day, 0.5 h after.
    assert limit_due("review", "urgent", start) == at("2026-10-08 09:30")
    assert limit_due("response", "urgent", start) == at("2026-10-08 11:30")
    # 特急 counts clock minutes, holiday or not.
    assert limit_due("response", "extra_urgent", start) == at("2026-09-30 16:30")
    assert limit_due("review", "extra_urgent", at("2026-10-03 03:39")) == at("2026-10-03 04:09")

    # Both are settings with their unit.
    settings.TIME_LIMITS = {"review": {"urgent": (2, "hours")}}
    assert limit_due("review", "urgent", start) == at("2026-09-30 18:00")
    with pytest.raises(ValueError):
        limit_due("review", "normal", start)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "submitted, review_due, response_due",
    [
        # At night: due two working hours after the office opens.
        ("2026-03-10 03:39", "2026-03-10 11:00", "2026-03-10 14:30"),
        # On a holiday (National Day): from the first workday's opening.
        ("2026-10-03 10:00", "2026-10-08 11:00", "2026-10-08 14:30"),
        # On the 调休 Saturday 2026-10-10, a workday: counts at once.
        ("2026-10-10 10:15", "2026-10-10 13:45", "2026-10-10 15:45"),
        # Friday evening before an ordinary weekend.
        ("2026-03-13 21:00", "2026-03-16 11:00", "2026-03-16 14:30"),
    ],
)
def test_urgent_limits_count_office_hours(submitted, review_due, response_due):
    assert limit_due("review", "urgent", at(submitted)) == at(review_due)
    assert limit_due("response", "urgent", at(submitted)) == at(response_due)
    # 特急 does not wait for the office.
    assert limit_due("review", "extra_urgent", at(submitted)) == at(submitted) + dt.timedelta(minutes=30)


# --- missing years ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "today, expected",
    [
        ("2026-06-01", []),  # 2026 comes from the package
        ("2026-10-31", []),  # next year's notice is not due yet
        ("2026-11-01", [2027]),  # from November the secretariat is asked for it
        ("2026-12-01", [2027]),
        ("2027-03-01", [2027]),
    ],
)
def test_missing_years(today, expected):
    with time_machine.travel(dt.datetime.fromisoformat(today + " 10:00+08:00"), tick=False):
        assert missing_years() == expected


@pytest.mark.django_db
def test_year_entered_by_the_secretariat_is_not_missing():
    CalendarYear.objects.create(year=2027, source=CalendarYear.Source.MANUAL)

    assert missing_years(dt.date(2026, 12, 15)) == []
    assert missing_years(dt.date(2026, 11, 24)) == []
    assert missing_years(dt.date(2027, 12, 15)) == [2028]


@pytest.mark.django_db
def test_a_rolled_back_change_does_not_stay_in_the_cache():
    from django.db import transaction

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        CalendarDay.objects.create(date=dt.date(2027, 1, 4), kind=CalendarDay.Kind.HOLIDAY, source="manual")
        assert is_workday(dt.date(2027, 1, 4)) is False
        raise Abort

    assert is_workday(dt.date(2027, 1, 4)) is True


@pytest.mark.django_db
def test_the_portals_missing_years_are_kept_until_the_calendar_changes(django_assert_num_queries):
    """The warning the portal shows the secretariat on every page is worked
    out once a minute, not per page; a change to the calendar drops it."""
    workdays.clear_cache()
    with time_machine.travel(dt.datetime.fromisoformat("2026-12-01 10:00+08:00"), tick=False):
        assert missing_years() == [2027]
        with django_assert_num_queries(0):
            assert missing_years() == [2027]
        CalendarYear.objects.create(year=2027, source=CalendarYear.Source.MANUAL)

        assert missing_years() == []
