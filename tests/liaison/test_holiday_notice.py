"""Reading the State Council's holiday notice (liaison.holiday_notice), storing
it (liaison.calendar_data.store_notice) and the two commands."""
import datetime as dt
import io
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from liaison import workdays
from liaison.calendar_data import current_days, package_days, store_notice
from liaison.errors import NoticeUnreadable
from liaison.holiday_notice import parse_amendment, parse_notice
from liaison.models import AuditEntry, CalendarDay, CalendarYear

NOTICE_2026 = (Path(__file__).parent / "data" / "notice_2026.txt").read_text(encoding="utf-8")

# The 2017 notice (国办发明电〔2016〕17号): 星期X, 补休, 与周末连休, no weekdays on ranges.
NOTICE_2017 = """国务院办公厅关于2017年部分节假日安排的通知
国办发明电〔2016〕17号
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将2017年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日放假，1月2日（星期一）补休。
二、春节：1月27日至2月2日放假调休，共7天。1月22日（星期日）、2月4日（星期六）上班。
三、清明节：4月2日至4日放假调休，共3天。4月1日（星期六）上班。
四、劳动节：5月1日放假，与周末连休。
五、端午节：5月28日至30日放假调休，共3天。5月27日（星期六）上班。
六、中秋节、国庆节：10月1日至8日放假调休，共8天。9月30日（星期六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作。
国务院办公厅
2016年11月30日
"""

# The 2023 notice: 元旦 reaches back into 2022 with an explicit year.
NOTICE_2023 = """国务院办公厅关于2023年部分节假日安排的通知
一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。
二、春节：1月21日至27日放假调休，共7天。1月28日（星期六）、1月29日（星期日）上班。
三、清明节：4月5日放假，共1天。
四、劳动节：4月29日至5月3日放假调休，共5天。4月23日（星期日）、5月6日（星期六）上班。
五、端午节：6月22日至24日放假调休，共3天。6月25日（星期日）上班。
六、中秋节、国庆节：9月29日至10月6日放假调休，共8天。10月7日（星期六）、10月8日（星期日）上班。
"""

# Invented, in the 2026 wording with half-width parentheses, for a year the
# package does not know.
NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
国办发明电〔2026〕9号
一、元旦:1月1日(周五)至3日(周日)放假,共3天。
二、春节:2月5日(农历腊月二十九、周五)至13日(农历正月初七、周六)放假调休,共9天。2月14日(周日)上班。
三、清明节:4月3日(周六)至5日(周一)放假,共3天。
四、劳动节:5月1日(周六)至5日(周三)放假调休,共5天。4月25日(周日)、5月8日(周六)上班。
五、端午节:6月9日(周三)放假,不调休。
六、中秋节:9月15日(周三)放假,不调休。
七、国庆节:10月1日(周五)至7日(周四)放假调休,共7天。9月26日(周日)、10月9日(周六)上班。
"""

HOLIDAYS_2026 = [
    *[dt.date(2026, 1, d) for d in range(1, 4)],
    *[dt.date(2026, 2, d) for d in range(15, 24)],
    *[dt.date(2026, 4, d) for d in range(4, 7)],
    *[dt.date(2026, 5, d) for d in range(1, 6)],
    *[dt.date(2026, 6, d) for d in range(19, 22)],
    *[dt.date(2026, 9, d) for d in range(25, 28)],
    *[dt.date(2026, 10, d) for d in range(1, 8)],
]
WORKDAYS_2026 = [dt.date(2026, m, d) for m, d in [(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)]]


@pytest.fixture(autouse=True)
def _fresh_cache():
    workdays.clear_cache()
    yield
    workdays.clear_cache()


def kinds(notice):
    return {(day.date, day.kind) for day in notice.days}


# --- parsing ------------------------------------------------------------------------


def test_2026_notice_gives_every_holiday_and_adjusted_workday():
    notice = parse_notice(NOTICE_2026)

    assert notice.year == 2026
    assert notice.title == "国务院办公厅关于2026年部分节假日安排的通知"
    assert [day.date for day in notice.holidays] == HOLIDAYS_2026
    assert [day.date for day in notice.workdays] == WORKDAYS_2026
    assert kinds(notice) == {(d, k) for d, k, _ in package_days(2026)}
    names = {day.date: day.name for day in notice.days}
    assert names[dt.date(2026, 2, 14)] == "春节"
    assert names[dt.date(2026, 9, 20)] == "国庆节"


def test_2017_notice_with_older_wording_matches_the_package():
    notice = parse_notice(NOTICE_2017)

    assert notice.year == 2017
    assert kinds(notice) == {(d, k) for d, k, _ in package_days(2017)}
    assert {day.name for day in notice.days if day.date == dt.date(2017, 10, 4)} == {"中秋节、国庆节"}


def test_explicit_year_reaches_into_the_previous_december():
    notice = parse_notice(NOTICE_2023)

    assert notice.year == 2023
    assert notice.days[0].date == dt.date(2022, 12, 31)
    # chinesecalendar files 2022-12-31 under 2022 and 2023-12-30/31 (元旦 2024) under 2023.
    expected = {(d, k) for d, k, _ in package_days(2023) if d < dt.date(2023, 12, 30)}
    expected.add((dt.date(2022, 12, 31), "holiday"))
    assert kinds(notice) == expected


def test_invented_2027_notice_in_half_width_wording():
    notice = parse_notice(NOTICE_2027)

    assert notice.year == 2027
    assert len(notice.holidays) == 3 + 9 + 3 + 5 + 1 + 1 + 7
    assert [day.date for day in notice.workdays] == [
        dt.date(2027, 2, 14), dt.date(2027, 4, 25), dt.date(2027, 5, 8), dt.date(2027, 9, 26), dt.date(2027, 10, 9)
    ]


def test_text_pasted_without_line_breaks_is_read_the_same():
    flat = NOTICE_2026.replace("\n", "")

    assert kinds(parse_notice(flat)) == kinds(parse_notice(NOTICE_2026))


def test_month_carries_over_in_a_list_of_workdays():
    notice = parse_notice("国务院办公厅关于2010年部分节假日安排的通知\n二、春节：2月13日至19日放假调休，共7天。2月20日（星期六）、21日（星期日）上班。")

    assert [day.date for day in notice.workdays] == [dt.date(2010, 2, 20), dt.date(2010, 2, 21)]


def test_advice_to_rest_on_new_years_eve_is_not_a_holiday():
    notice = parse_notice(
        "国务院办公厅关于2024年部分节假日安排的通知\n"
        "二、春节：2月10日至17日放假调休，共8天。2月4日（星期日）、2月18日（星期日）上班。"
        "鼓励各单位结合带薪年休假等制度落实，安排职工在除夕（2月9日）休息。"
    )

    assert dt.date(2024, 2, 9) not in {day.date for day in notice.days}
    assert len(notice.holidays) == 8


@pytest.mark.parametrize(
    "text, problem",
    [
        ("今天天气很好。", "找不到年份：通知标题应为“国务院办公厅关于XXXX年部分节假日安排的通知”。"),
        ("今天天气很好。", "找不到放假安排条目（如“一、元旦：1月1日放假”）。"),
        (
            "国务院办公厅关于2026年部分节假日安排的通知\n一、元旦：1月1日（周五）放假。",
            "1月1日(周五) 与实际星期不符：2026年1月1日 是星期四。",
        ),
        (
            "国务院办公厅关于2026年部分节假日安排的通知\n二、春节：2月15日至23日，共9天。",
            "无法判断以下日期是放假还是上班：2月15日至23日,共9天",
        ),
        ("国务院办公厅关于2026年部分节假日安排的通知\n一、元旦：另行通知。", "这一条中没有读到日期：一、元旦:另行通知。"),
        ("国务院办公厅关于2026年部分节假日安排的通知\n一、元旦：2月30日放假。", "不存在的日期：2月30日"),
        (
            "国务院办公厅关于2026年部分节假日安排的通知\n一、元旦：1月1日放假。二、春节：1月1日（周四）上班。",
            "2026年1月1日 既写成放假又写成上班：1月1日(周四)上班",
        ),
    ],
)
def test_unreadable_text_lists_what_could_not_be_read(text, problem):
    with pytest.raises(NoticeUnreadable) as caught:
        parse_notice(text)

    assert caught.value.message == "无法读取这份放假通知，没有保存任何内容。"
    assert problem in caught.value.problems


# --- storing ------------------------------------------------------------------------


@pytest.mark.django_db
def test_storing_a_notice_replaces_the_year_and_is_audited(secretary):
    CalendarDay.objects.create(date=dt.date(2027, 3, 1), kind="holiday", name="错误", source="manual")
    assert workdays.is_workday(dt.date(2027, 10, 4)) is True  # provisional: 国庆 is 1–3 October
    assert workdays.is_provisional(dt.date(2027, 10, 4)) is True

    calendar_year = store_notice(notice=parse_notice(NOTICE_2027), text=NOTICE_2027, actor=secretary)

    assert calendar_year.source == CalendarYear.Source.NOTICE
    assert calendar_year.notice_text == NOTICE_2027
    assert calendar_year.updated_by == secretary
    assert not CalendarDay.objects.filter(date=dt.date(2027, 3, 1)).exists()
    assert CalendarDay.objects.filter(date__year=2027, source="notice").count() == 34
    assert not CalendarDay.objects.filter(source="provisional").exists()
    assert workdays.is_workday(dt.date(2027, 1, 1)) is False
    assert workdays.is_workday(dt.date(2027, 2, 14)) is True
    assert workdays.is_workday(dt.date(2027, 10, 4)) is False
    assert workdays.is_provisional(dt.date(2027, 10, 4)) is False
    assert workdays.missing_years(dt.date(2027, 3, 1)) == []
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SETTINGS_CHANGE)
    assert entry.user == secretary
    assert entry.object_id == str(calendar_year.pk)
    assert "国务院办公厅关于2027年部分节假日安排的通知" in entry.detail


@pytest.mark.django_db
def test_notice_replaces_package_data_and_previous_december_day():
    workdays.is_workday(dt.date(2023, 6, 1))  # fills 2023 from the package
    CalendarDay.objects.create(date=dt.date(2022, 12, 31), kind="workday", name="手工", source="manual")

    store_notice(notice=parse_notice(NOTICE_2023), text=NOTICE_2023)

    assert CalendarYear.objects.get(year=2023).source == CalendarYear.Source.NOTICE
    assert CalendarDay.objects.get(date=dt.date(2022, 12, 31)).kind == "holiday"
    assert CalendarDay.objects.get(date=dt.date(2022, 12, 31)).plan_year == 2023
    # chinesecalendar lists 2023-12-30/31 as 元旦 2024: they belong to the
    # 2024 plan, and the 2023 notice leaves them alone.
    assert set(CalendarDay.objects.filter(date__year=2023, source="chinesecalendar").values_list("date", "plan_year")) == {
        (dt.date(2023, 12, 30), 2024),
        (dt.date(2023, 12, 31), 2024),
    }


# --- commands -----------------------------------------------------------------------


@pytest.mark.django_db
def test_import_holidays_stores_and_prints_the_year(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text(NOTICE_2026, encoding="utf-8")
    out = io.StringIO()

    call_command("import_holidays", str(path), stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == "source: notice (国务院办公厅关于2026年部分节假日安排的通知)"
    assert "2026-02-14 workday" in lines
    assert "2026-02-15 holiday" in lines
    assert len([line for line in lines if line.startswith("2026-")]) == 39
    assert CalendarYear.objects.get(year=2026).source == "notice"


@pytest.mark.django_db
def test_import_holidays_reads_standard_input_in_gb18030(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(NOTICE_2027.encode("gb18030"))))
    out = io.StringIO()

    call_command("import_holidays", "-", stdout=out)

    assert "2027-10-09 workday" in out.getvalue().splitlines()
    assert CalendarDay.objects.filter(date__year=2027).count() == 34


@pytest.mark.django_db
def test_import_holidays_refuses_other_text_and_changes_nothing(tmp_path):
    workdays.is_workday(dt.date(2026, 1, 5))
    before = list(CalendarDay.objects.values_list("date", "kind", "source"))
    path = tmp_path / "other.txt"
    path.write_text("关于召开安全生产会议的通知\n请各部门于3月5日参加。", encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError, match="没有保存任何内容"):
        call_command("import_holidays", str(path), stderr=err)

    assert "找不到放假安排条目" in err.getvalue()
    assert list(CalendarDay.objects.values_list("date", "kind", "source")) == before
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.SETTINGS_CHANGE).exists()


@pytest.mark.django_db
def test_import_holidays_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="无法读取文件"):
        call_command("import_holidays", str(tmp_path / "nope.txt"))


@pytest.mark.django_db
def test_holidays_prints_a_package_year_with_its_source():
    out = io.StringIO()

    call_command("holidays", "2026", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == "source: chinesecalendar"
    assert lines[1:] == [
        "%s %s" % (d.isoformat(), "workday" if d in WORKDAYS_2026 else "holiday")
        for d in sorted(HOLIDAYS_2026 + WORKDAYS_2026)
    ]


@pytest.mark.django_db
def test_holidays_names_days_edited_by_hand():
    workdays.is_workday(dt.date(2026, 1, 5))
    CalendarDay.objects.filter(date=dt.date(2026, 10, 10)).update(source="manual")
    out = io.StringIO()

    call_command("holidays", "2026", stdout=out)

    assert out.getvalue().splitlines()[0] == "source: chinesecalendar; 2026-10-10 manual"


@pytest.mark.django_db
def test_holidays_for_a_year_without_notice_prints_the_statutory_days_as_provisional():
    out, err = io.StringIO(), io.StringIO()

    call_command("holidays", "2027", stdout=out, stderr=err)

    lines = out.getvalue().splitlines()
    assert lines[0] == "source: provisional (全国年节及纪念日放假办法; 尚未导入放假通知)"
    assert lines[1:] == [
        "2027-01-01 holiday provisional",
        "2027-02-05 holiday provisional",
        "2027-02-06 holiday provisional",
        "2027-02-07 holiday provisional",
        "2027-02-08 holiday provisional",
        "2027-04-05 holiday provisional",
        "2027-05-01 holiday provisional",
        "2027-05-02 holiday provisional",
        "2027-06-09 holiday provisional",
        "2027-09-15 holiday provisional",
        "2027-10-01 holiday provisional",
        "2027-10-02 holiday provisional",
        "2027-10-03 holiday provisional",
    ]
    assert "尚未导入 2027 年的放假通知" in err.getvalue()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_year_at_once_both_succeed_one_after_the_other():
    import threading

    from django.db import connection

    notice = parse_notice(NOTICE_2027)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            store_notice(notice=notice, text=NOTICE_2027)
        except Exception as exc:  # noqa: BLE001  reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert CalendarYear.objects.filter(year=2027).count() == 1
    assert CalendarDay.objects.filter(date__year=2027).count() == 34
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SETTINGS_CHANGE).count() == 2


# --- every notice since 2007 ----------------------------------------------------------

NOTICES = Path(__file__).parent / "data" / "notices"

# Weekend days inside a holiday on which the notice and chinesecalendar differ
# only in whether the day is listed ("5月1日放假，与周末连休": the package lists
# the weekend in some years and not in others; "6月4日至6日放假公休": it leaves
# out the Sunday). They are off either way, so no working day differs.
WEEKEND_LISTING_DIFFERENCES = {
    2011: {dt.date(2011, 6, 5)},
    2012: {dt.date(2012, 6, 23)},
    2014: {dt.date(2014, 4, 6)},
    2015: {dt.date(2015, 9, 5)},
    2019: {dt.date(2019, 4, 6), dt.date(2019, 4, 7), dt.date(2019, 6, 8), dt.date(2019, 6, 9), dt.date(2019, 9, 14), dt.date(2019, 9, 15)},
    2024: {dt.date(2023, 12, 30), dt.date(2023, 12, 31)},
}
# Supplementary notices that changed a year after its notice.
AMENDMENTS = {
    2015: "2015-anniversary",
    2019: "2019-labour-day-adjustment",
    2020: "2020-spring-festival-extension",
}


def notice_text(name):
    return (NOTICES / f"{name}.txt").read_text(encoding="utf-8")


def package_plan(year):
    """chinesecalendar's holidays and workdays of the year's plan: from the
    元旦 days of December year-1 to December of year, less the December days
    of the next 元旦."""
    from chinese_calendar import constants

    from liaison.calendar_data import PACKAGE_NAMES, plan_year_of

    def plan(days):
        return {
            d for d, name in days.items()
            if plan_year_of(d, PACKAGE_NAMES.get(name, name)) == year
        }

    return plan(constants.holidays), plan(constants.workdays)


def read_year(year):
    """The year as the notices set it: the yearly notice, then its amendment."""
    days = {day.date: day for day in parse_notice(notice_text(year)).days}
    if year in AMENDMENTS:
        current = {d: (day.kind, day.name) for d, day in days.items()}
        amendment = parse_amendment(notice_text(AMENDMENTS[year]), current=lambda y: current)
        days.update({day.date: day for day in amendment.days})
    return days


@pytest.mark.parametrize("year", range(2007, 2027))
def test_every_notice_since_2007_gives_the_days_of_the_package(year):
    days = read_year(year)
    holidays = {d for d, day in days.items() if day.kind == "holiday"}
    workdays_ = {d for d, day in days.items() if day.kind == "workday"}
    package_holidays, package_workdays = package_plan(year)

    assert workdays_ == package_workdays
    assert holidays ^ package_holidays == WEEKEND_LISTING_DIFFERENCES.get(year, set())
    assert all(d.weekday() >= 5 and d not in workdays_ for d in holidays ^ package_holidays)
    # Every day keeps the sentence it was read from.
    assert all(day.sentence for day in days.values())


def test_2008_reads_the_workdays_inside_sentences_beginning_with_qizhong():
    notice = parse_notice(notice_text(2008))

    assert [day.date for day in notice.workdays] == [
        dt.date(2007, 12, 29), dt.date(2008, 2, 2), dt.date(2008, 2, 3), dt.date(2008, 5, 4),
        dt.date(2008, 9, 27), dt.date(2008, 9, 28),
    ]
    new_year = {day.date: day for day in notice.days if day.name == "元旦"}
    assert sorted(new_year) == [dt.date(2007, 12, d) for d in (29, 30, 31)] + [dt.date(2008, 1, 1)]
    assert new_year[dt.date(2007, 12, 29)].sentence.startswith("其中,1月1日(星期二)为法定节假日")
    assert new_year[dt.date(2007, 12, 29)].sentence.endswith("12月29日(星期六)上班")


def test_a_year_named_on_one_date_carries_to_the_next_of_that_month():
    notice = parse_notice(
        "国务院办公厅关于2007年部分节假日安排的通知\n"
        "一、元旦：1月1日—3日放假，共3天。其中1月1日为法定假日，将2006年12月30日（星期六）、31日（星期日）"
        "两个公休日分别调至2007年1月2日、3日，2006年12月30日（星期六）、31日（星期日）上班。"
    )

    assert [day.date for day in notice.workdays] == [dt.date(2006, 12, 30), dt.date(2006, 12, 31)]
    assert [day.date for day in notice.holidays] == [dt.date(2007, 1, d) for d in (1, 2, 3)]


def test_a_holiday_across_the_new_year_without_years_and_with_hyphens():
    notice = parse_notice(
        "国务院办公厅关于2030年部分节假日安排的通知\n"
        "一、元旦：12月30日（周日）－1月1日（周二）放假调休，共3天。12月29日（周六）上班。"
    )

    assert [day.date for day in notice.holidays] == [dt.date(2029, 12, 30), dt.date(2029, 12, 31), dt.date(2030, 1, 1)]
    assert [day.date for day in notice.workdays] == [dt.date(2029, 12, 29)]


@pytest.mark.parametrize(
    "item, problem",
    [
        # A moved weekend that the item neither gives off nor declares a workday.
        (
            "一、元旦：2007年12月30日—2008年1月1日放假，共3天。其中，1月1日（星期二）为法定节假日，"
            "12月29日（星期六）公休日调至12月31日（星期一）。",
            "2007年12月29日 的公休日调走了，但这一条既没有让它放假，也没有写明上班：其中,1月1日(星期二)为法定节假日,12月29日(星期六)公休日调至12月31日(星期一)",
        ),
        # A date next to neither 放假 nor 上班 inside a 其中 sentence.
        (
            "二、春节：2月6日—12日放假，共7天。其中，2月2日（星期六）、2月3日（星期日）照常。",
            "无法判断以下日期是放假还是上班：其中,2月2日(星期六)、2月3日(星期日)照常",
        ),
        # The weekday shows that 12月29日 is not in 2008.
        ("一、元旦：1月1日放假。2008年12月29日（星期六）上班。", "2008年12月29日(星期六) 与实际星期不符：2008年12月29日 是星期一。"),
    ],
)
def test_a_date_that_cannot_be_placed_refuses_the_notice_naming_the_sentence(item, problem):
    with pytest.raises(NoticeUnreadable) as caught:
        parse_notice("国务院办公厅关于2008年部分节假日安排的通知\n" + item)

    assert problem in caught.value.problems


@pytest.mark.django_db
def test_import_of_the_2008_notice_stores_the_saturday_in_december_2007(tmp_path):
    path = tmp_path / "2008.txt"
    path.write_text(notice_text(2008), encoding="utf-8")
    out = io.StringIO()

    call_command("import_holidays", str(path), stdout=out)

    lines = out.getvalue().splitlines()
    assert "2007-12-29 workday" in lines
    assert lines[-1] == "已导入 2008 年：放假 29 天，调休上班 6 天。"
    assert workdays.is_workday(dt.date(2007, 12, 29)) is True
    assert workdays.is_workday(dt.date(2007, 12, 31)) is False
    # A deadline no longer skips the working Saturday.
    start = dt.datetime(2007, 12, 28, 16, tzinfo=workdays._tz())
    assert workdays.add_working_days(start, 1) == dt.datetime(2007, 12, 29, 16, tzinfo=workdays._tz())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "year, december", [(2008, dt.date(2007, 12, 29)), (2012, dt.date(2011, 12, 31)), (2019, dt.date(2018, 12, 29))]
)
def test_importing_the_earlier_year_again_keeps_what_the_next_notice_set_in_december(year, december):
    store_notice(notice=parse_notice(notice_text(year)), text=notice_text(year))
    set_by_next = CalendarDay.objects.get(date=december)
    assert (set_by_next.kind, set_by_next.plan_year, set_by_next.source) == ("workday", year, "notice")

    for _ in range(2):
        store_notice(notice=parse_notice(notice_text(year - 1)), text=notice_text(year - 1))

    day = CalendarDay.objects.get(date=december)
    assert (day.kind, day.plan_year, day.notice.title) == ("workday", year, "国务院办公厅关于%s年部分节假日安排的通知" % year)
    assert day.sentence.endswith("(星期六)上班")
    assert workdays.is_workday(december) is True
    holidays, workdays_ = package_plan(year - 1)
    stored = set(CalendarDay.objects.filter(plan_year=year - 1, kind="workday").values_list("date", flat=True))
    assert stored == workdays_


@pytest.mark.django_db
def test_the_2020_extension_is_applied_as_an_amendment_and_survives_a_reimport(tmp_path):
    store_notice(notice=parse_notice(notice_text(2020)), text=notice_text(2020))
    assert workdays.is_workday(dt.date(2020, 2, 1)) is True  # the 调休 Saturday of the notice
    path = tmp_path / "extension.txt"
    path.write_text(notice_text("2020-spring-festival-extension"), encoding="utf-8")
    out = io.StringIO()

    call_command("import_holidays", "--amend", str(path), stdout=out)

    assert out.getvalue().splitlines() == [
        "amended: 2020 (国务院办公厅关于延长2020年春节假期的通知)",
        "2020-01-31 holiday",
        "2020-02-01 holiday",
        "2020-02-02 holiday",
        "已按补充通知修改 2020 年：放假 3 天，调休上班 0 天。",
    ]
    assert workdays.is_workday(dt.date(2020, 2, 1)) is False
    assert workdays.is_workday(dt.date(2020, 2, 3)) is True
    holidays, workdays_ = package_plan(2020)
    assert set(CalendarDay.objects.filter(plan_year=2020, kind="holiday").values_list("date", flat=True)) == holidays
    assert set(CalendarDay.objects.filter(plan_year=2020, kind="workday").values_list("date", flat=True)) == workdays_
    assert CalendarYear.objects.get(year=2020).notice_title == "国务院办公厅关于2020年部分节假日安排的通知"

    # The yearly notice imported again: the extension came later and holds.
    store_notice(notice=parse_notice(notice_text(2020)), text=notice_text(2020))

    assert workdays.is_workday(dt.date(2020, 2, 1)) is False
    assert CalendarDay.objects.get(date=dt.date(2020, 2, 1)).notice.kind == "amendment"


@pytest.mark.django_db
def test_the_2019_labour_day_adjustment_gives_the_package_days():
    store_notice(notice=parse_notice(notice_text(2019)), text=notice_text(2019))
    notice = parse_amendment(notice_text("2019-labour-day-adjustment"), current=current_days)

    store_notice(notice=notice, text=notice_text("2019-labour-day-adjustment"))

    assert workdays.is_workday(dt.date(2019, 5, 2)) is False
    assert workdays.is_workday(dt.date(2019, 4, 28)) is True
    assert workdays.is_workday(dt.date(2019, 5, 5)) is True
    _, package_workdays = package_plan(2019)
    assert set(CalendarDay.objects.filter(plan_year=2019, kind="workday").values_list("date", flat=True)) == package_workdays
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.SETTINGS_CHANGE).latest("pk")
    assert entry.detail.startswith("导入补充通知：国务院办公厅关于调整2019年劳动节假期安排的通知")


@pytest.mark.django_db
def test_an_extension_without_the_years_holiday_refuses(tmp_path):
    CalendarYear.objects.create(year=2020, source="manual")
    path = tmp_path / "extension.txt"
    path.write_text(notice_text("2020-spring-festival-extension"), encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError, match="无法读取这份补充通知，没有保存任何内容"):
        call_command("import_holidays", "--amend", str(path), stderr=err)

    assert "找不到2020年原有的“春节”假期，请先导入该年的放假通知" in err.getvalue()
    assert not CalendarDay.objects.filter(date__year=2020).exists()


@pytest.mark.django_db
def test_a_supplementary_notice_without_amend_says_how_to_import_it(tmp_path):
    path = tmp_path / "extension.txt"
    path.write_text(notice_text("2020-spring-festival-extension"), encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_holidays", str(path), stderr=err)

    assert "这是一份补充通知，请用“导入补充通知”（import_holidays --amend）导入。" in err.getvalue()


def test_a_reprint_with_the_items_broken_over_lines_reads_the_same():
    # As reprinted in 2011: "一、元旦：" on a line of its own, a 上班 sentence on the next.
    broken = notice_text(2012).replace("一、元旦：", "一、元旦：\n").replace("共3天。3月31日", "共3天。\n3月31日")

    assert kinds(parse_notice(broken)) == kinds(parse_notice(notice_text(2012)))
    assert dt.date(2012, 3, 31) in {day.date for day in parse_notice(broken).workdays}


def test_a_dated_sentence_outside_every_item_refuses_the_notice():
    with pytest.raises(NoticeUnreadable) as caught:
        parse_notice(
            "国务院办公厅关于2026年部分节假日安排的通知\n"
            "1月4日（周日）上班。\n"
            "一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。"
        )

    assert "这句话不在任何一条放假安排中，无法归入节日：1月4日(周日)上班。" in caught.value.problems


def test_a_supplementary_notice_without_a_year_in_its_title_takes_the_year_of_its_dates():
    notice = parse_amendment(notice_text("2015-anniversary"))

    assert notice.amendment and notice.year == 2015
    assert notice.title == "国务院关于中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日调休放假的通知"
    assert [(day.date, day.kind) for day in notice.days] == [
        (dt.date(2015, 9, 3), "holiday"), (dt.date(2015, 9, 4), "holiday"), (dt.date(2015, 9, 5), "holiday"),
        (dt.date(2015, 9, 6), "workday"),
    ]
