"""Reading the State Council's holiday notice (liaison.holiday_notice), storing
it (liaison.calendar_data.store_notice) and the two commands."""
import datetime as dt
import io
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from liaison import workdays
from liaison.calendar_data import package_days, store_notice
from liaison.errors import NoticeUnreadable
from liaison.holiday_notice import parse_notice
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
            "2026年1月1日 既写成放假又写成上班。",
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
    assert workdays.is_workday(dt.date(2027, 1, 1)) is True

    calendar_year = store_notice(notice=parse_notice(NOTICE_2027), text=NOTICE_2027, actor=secretary)

    assert calendar_year.source == CalendarYear.Source.NOTICE
    assert calendar_year.notice_text == NOTICE_2027
    assert calendar_year.updated_by == secretary
    assert not CalendarDay.objects.filter(date=dt.date(2027, 3, 1)).exists()
    assert CalendarDay.objects.filter(date__year=2027, source="notice").count() == 34
    assert workdays.is_workday(dt.date(2027, 1, 1)) is False
    assert workdays.is_workday(dt.date(2027, 2, 14)) is True
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
    # chinesecalendar lists 2023-12-30/31 as 元旦 2024; the 2023 notice does not.
    assert not CalendarDay.objects.filter(date__year=2023, source="chinesecalendar").exists()


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
def test_holidays_for_a_year_nobody_entered_says_so():
    with pytest.raises(CommandError, match="尚未录入 2027 年"):
        call_command("holidays", "2027", stdout=io.StringIO())


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
