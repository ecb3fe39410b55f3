"""The calendar in the admin console (liaison/admin_calendar.py): the notice
import page, editing days, and the warnings about a year with no holidays."""
import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from liaison import workdays
from liaison.models import AuditEntry, CalendarDay, CalendarYear
from tests.factories import UserFactory

NOTICE_2026 = (Path(__file__).parent / "data" / "notice_2026.txt").read_text(encoding="utf-8")
NOTICE_2027 = NOTICE_2026.replace("2026年", "2027年").replace("（周四）至3日（周六）", "（周五）至3日（周日）")
IMPORT = "/admin/liaison/calendaryear/import-notice/"
DECEMBER = dt.datetime(2026, 12, 5, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _fresh_cache():
    workdays.clear_cache()
    yield
    workdays.clear_cache()


@pytest.fixture
def notice_2027():
    # An invented 2027 notice in the 2026 wording (weekdays that fit 2027).
    return """国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历腊月二十九、周五）至13日（农历正月初七、周六）放假调休，共9天。2月14日（周日）上班。
三、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
"""


def test_url_of_the_import_page():
    assert reverse("admin:liaison_calendaryear_import_notice") == IMPORT


@pytest.mark.django_db
def test_preview_shows_the_days_and_stores_nothing(client, secretary, notice_2027):
    client.force_login(secretary)

    response = client.post(IMPORT, {"text": notice_2027, "preview": "预览"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "预览：2027 年的放假安排（尚未保存）" in html
    assert html.count('class="notice-day notice-holiday"') == 19
    assert html.count('class="notice-day notice-workday"') == 3
    assert "<td>2027-02-14</td><td>星期日</td><td>调休上班</td><td>春节</td>" in html
    assert 'name="confirm"' in html
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()


@pytest.mark.django_db
def test_confirm_stores_the_year_and_audits_it(client, secretary, notice_2027):
    client.force_login(secretary)

    response = client.post(IMPORT, {"text": notice_2027, "confirm": "确认导入"})

    year = CalendarYear.objects.get(year=2027)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:liaison_calendaryear_change", args=[year.pk])
    assert year.source == CalendarYear.Source.NOTICE
    assert year.updated_by == secretary
    assert CalendarDay.objects.filter(date__year=2027).count() == 22
    assert workdays.is_workday(dt.date(2027, 2, 14)) is True
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SETTINGS_CHANGE, user=secretary).count() == 1
    page = client.get(response["Location"])
    assert "已导入 2027 年的放假安排：放假 19 天，调休上班 3 天。" in page.content.decode()


@pytest.mark.django_db
def test_preview_warns_that_existing_days_will_be_replaced(client, secretary):
    workdays.is_workday(dt.date(2026, 1, 5))  # 2026 from the package
    client.force_login(secretary)

    response = client.post(IMPORT, {"text": NOTICE_2026, "preview": "预览"})

    assert "确认后将替换 2026 年现有的 39 条记录（chinesecalendar 数据包）。" in response.content.decode()


@pytest.mark.django_db
def test_bad_text_shows_what_could_not_be_read_and_stores_nothing(client, secretary):
    client.force_login(secretary)

    response = client.post(IMPORT, {"text": "关于召开安全生产会议的通知\n请各部门于3月5日参加。", "confirm": "确认导入"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "无法读取这份放假通知，没有保存任何内容。" in html
    assert "找不到放假安排条目" in html
    assert "关于召开安全生产会议的通知" in html  # the input is kept
    assert not CalendarYear.objects.filter(source=CalendarYear.Source.NOTICE).exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.SETTINGS_CHANGE).exists()


@pytest.mark.django_db
def test_empty_text_is_refused(client, secretary):
    client.force_login(secretary)

    response = client.post(IMPORT, {"text": "  ", "preview": "预览"})

    assert response.status_code == 200
    assert "这个字段是必填项。" in response.content.decode()
    assert not CalendarYear.objects.filter(source=CalendarYear.Source.NOTICE).exists()


@pytest.mark.django_db
def test_non_staff_cannot_reach_the_import_page(client, officer_market, notice_2027):
    client.force_login(officer_market)

    response = client.post(IMPORT, {"text": notice_2027, "confirm": "确认导入"})

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_staff_without_calendar_rights_gets_403(client, auditor, notice_2027):
    auditor.is_staff = True
    auditor.save()
    client.force_login(auditor)

    response = client.post(IMPORT, {"text": notice_2027, "confirm": "确认导入"})

    assert response.status_code == 403
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_year_list_links_the_import_page_and_counts_days(client, secretary):
    workdays.is_workday(dt.date(2026, 1, 5))
    client.force_login(secretary)

    response = client.get("/admin/liaison/calendaryear/")

    html = response.content.decode()
    assert response.status_code == 200
    assert IMPORT in html
    assert '<td class="field-holiday_count">33</td>' in html
    assert '<td class="field-workday_count">6</td>' in html


@pytest.mark.django_db
def test_secretary_edits_a_day_and_the_calendar_follows(client, secretary):
    assert workdays.is_workday(dt.date(2026, 3, 2)) is True
    client.force_login(secretary)

    response = client.post(
        "/admin/liaison/calendarday/add/", {"date": "2026-03-02", "kind": "holiday", "name": "单位调休"}
    )

    assert response.status_code == 302
    day = CalendarDay.objects.get(date=dt.date(2026, 3, 2))
    assert day.source == CalendarYear.Source.MANUAL
    assert day.history.first().history_user == secretary
    assert workdays.is_workday(dt.date(2026, 3, 2)) is False


@pytest.mark.django_db
def test_secretary_cannot_delete_days(client, secretary):
    workdays.is_workday(dt.date(2026, 1, 5))
    day = CalendarDay.objects.get(date=dt.date(2026, 1, 1))
    client.force_login(secretary)

    response = client.post(f"/admin/liaison/calendarday/{day.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert CalendarDay.objects.filter(pk=day.pk).exists()


@pytest.mark.django_db
def test_admin_index_warns_about_next_year_in_december(client, secretary):
    with time_machine.travel(DECEMBER, tick=False):
        client.force_login(secretary)
        response = client.get("/admin/")

    html = response.content.decode()
    assert "尚未录入 2027 年的法定节假日安排" in html
    assert IMPORT in html


@pytest.mark.django_db
def test_portal_warns_the_secretariat_until_the_notice_is_imported(client, secretary, notice_2027):
    with time_machine.travel(DECEMBER, tick=False):
        client.force_login(secretary)
        before = client.get("/").content.decode()
        client.post(IMPORT, {"text": notice_2027, "confirm": "确认导入"})
        after = client.get("/").content.decode()

    assert "/accounts/logout/" in after  # still logged in: the absence below means something
    assert "尚未录入 2027 年的法定节假日安排" in before
    assert "尚未录入" not in after


@pytest.mark.django_db
def test_portal_does_not_warn_other_staff(client, officer_market):
    with time_machine.travel(DECEMBER, tick=False):
        client.force_login(officer_market)
        response = client.get("/")

    assert response.status_code == 200
    assert "尚未录入" not in response.content.decode()


@pytest.mark.django_db
def test_no_warning_for_next_year_in_october(client, secretary):
    with time_machine.travel(dt.datetime(2026, 10, 20, 10, tzinfo=DECEMBER.tzinfo), tick=False):
        client.force_login(secretary)
        response = client.get("/admin/")

    assert response.status_code == 200
    assert "尚未录入" not in response.content.decode()


NOTICES = Path(__file__).parent / "data" / "notices"


@pytest.mark.django_db
def test_preview_shows_each_sentence_beside_the_dates_read_from_it(client, secretary):
    client.force_login(secretary)

    response = client.post(IMPORT, {"text": (NOTICES / "2008.txt").read_text(encoding="utf-8"), "preview": "预览"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "预览：2008 年的放假安排（尚未保存）" in html
    start = html.index("12月29日(星期六)上班</td>")
    row = html[html.rindex("<tr", 0, start) : html.index("</tr>", start)]
    assert "<td>元旦</td><td>其中,1月1日(星期二)为法定节假日," in row
    assert '<span class="notice-workday">2007-12-29（星期六）调休上班</span>' in row
    first = html[html.index("<td>元旦</td><td>2007年12月30日—2008年1月1日放假,共3天</td>") :]
    first = first[: first.index("</tr>")]
    assert '<span class="notice-holiday">2007-12-31（星期一）放假</span>' in first
    assert html.count('class="notice-sentence"') >= 7
    assert not CalendarYear.objects.filter(year=2008).exists()


@pytest.mark.django_db
def test_supplementary_notice_is_previewed_and_applied_as_an_amendment(client, secretary):
    workdays.is_workday(dt.date(2020, 3, 2))  # 2020 from the package…
    CalendarDay.objects.filter(date__range=(dt.date(2020, 1, 31), dt.date(2020, 2, 2))).delete()
    CalendarDay.objects.create(date=dt.date(2020, 2, 1), kind="workday", name="春节", source="notice", plan_year=2020)
    workdays.clear_cache()  # …as the 2020 notice had it, before the extension
    assert workdays.is_workday(dt.date(2020, 2, 1)) is True
    text = (NOTICES / "2020-spring-festival-extension.txt").read_text(encoding="utf-8")
    client.force_login(secretary)

    preview = client.post(IMPORT, {"text": text, "preview": "预览"}).content.decode()

    assert "预览：按补充通知修改 2020 年的放假安排（尚未保存）" in preview
    assert "确认后只修改下列 3 天，2020 年的其他日期不变。其中 1 天现有记录将被替换。" in preview
    assert "<td>延长2020年春节假期至2月2日(农历正月初九,星期日),2月3日(星期一)起正常上班。</td>" in preview
    assert '<span class="notice-holiday">2020-02-01（星期六）放假</span>' in preview
    assert CalendarDay.objects.get(date=dt.date(2020, 2, 1)).kind == "workday"

    response = client.post(IMPORT, {"text": text, "confirm": "确认导入"})

    assert response.status_code == 302
    assert workdays.is_workday(dt.date(2020, 2, 1)) is False
    assert workdays.is_workday(dt.date(2020, 1, 31)) is False
    assert CalendarYear.objects.get(year=2020).source == CalendarYear.Source.PACKAGE  # the rest is unchanged
    page = client.get(response["Location"]).content.decode()
    assert "已按补充通知修改 2020 年的放假安排：放假 3 天，调休上班 0 天。" in page


@pytest.mark.django_db
def test_a_provisional_year_says_so_on_its_page(client, secretary):
    workdays.is_workday(dt.date(2027, 3, 1))
    year = CalendarYear.objects.get(year=2027)
    client.force_login(secretary)

    html = client.get(reverse("admin:liaison_calendaryear_change", args=[year.pk])).content.decode()

    assert "暂定：尚未导入 2027 年的国务院办公厅放假通知" in html
    assert "<td>2027-02-05</td><td>星期五</td><td>放假</td><td>春节</td><td>法定节假日（暂定）</td>" in html
    listing = client.get("/admin/liaison/calendaryear/").content.decode()
    assert "法定节假日（暂定）" in listing
