from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison.models import CalendarYear
from officers.models import ChangeFiling, Officer, Registration
from tests.factories import DutyFactory, ExternalUnitFactory, OfficerFactory, OrgUnitFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = "2026-03-02 10:00+08:00"


@pytest.fixture(autouse=True)
def _frozen_with_calendar(db):
    # The home page asks the calendar whether a year is missing; give it 2026.
    with time_machine.travel(NOW, tick=False):
        CalendarYear.objects.create(year=2026, source=CalendarYear.Source.MANUAL)
        yield


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def registration_for(unit, officer=None, body_name="苏州市市场监督管理局"):
    body = ExternalUnitFactory(name=body_name, kind="regulator")
    return Registration.objects.create(
        unit=unit, body=body, officer=officer, registered_name="张三", registered_phone="13962100002", reference="REG-1"
    )


def home(client, user):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_secretary_sees_units_without_officer_open_filings_and_missing_paperwork(
    client, secretary, market, prod, officer_market
):
    post = Officer.objects.get(user=officer_market)
    post.induction_done_on = None
    post.save()
    registration = registration_for(market, post)
    ChangeFiling.objects.create(
        registration=registration, reason="contact_changed", changed_at=at("2026-02-20 09:00"), due_at=at("2026-02-24 17:30")
    )
    ChangeFiling.objects.create(
        registration=registration, reason="officer_changed", changed_at=at("2026-03-02 09:00"), due_at=at("2026-03-04 09:00")
    )
    ChangeFiling.objects.create(
        registration=registration,
        reason="contact_changed",
        changed_at=at("2026-01-05 09:00"),
        due_at=at("2026-01-07 09:00"),
        filed_at=at("2026-01-06 09:00"),
    )

    page = home(client, secretary)

    assert "您好，周秘书" in page
    assert "生产部" in page.split("缺少在岗联络员的单位")[1].split("</article>")[0]
    filings = page.split("待报备的变更")[1].split("</article>")[0]
    assert "2026-02-24 17:30" in filings and "已逾期" in filings
    assert "2026-03-04 09:00" in filings and "待报备" in filings
    assert "2026-01-07" not in filings  # already filed
    paperwork = page.split("任职手续不全的联络员")[1].split("</article>")[0]
    assert "张三" in paperwork and "未参加岗前培训" in paperwork and "未签保密协议" in paperwork


def test_secretary_sees_empty_lists_said_plainly(client, secretary, market, officer_market):
    post = Officer.objects.get(user=officer_market)
    post.induction_done_on = post.confidentiality_signed_on = post.appointed_on
    post.save()

    page = home(client, secretary)

    assert "所有单位均有在岗联络员。" in page
    assert "没有待报备的变更。" in page
    assert "所有在岗联络员均已完成岗前培训并签订保密协议。" in page


def test_officer_sees_their_unit_duties_and_registrations(client, officer_market, market):
    post = Officer.objects.get(user=officer_market)
    post.duties.add(DutyFactory(code="D01", name="收集信息"), DutyFactory(code="D07", name="保密管理"))
    registration_for(market, post)

    page = home(client, officer_market)

    assert "我是市场部的信息联络员" in page
    assert "收集信息" in page and "保密管理" in page
    assert "苏州市市场监督管理局" in page and "REG-1" in page
    assert "缺少在岗联络员的单位" not in page  # HR's card


def test_officer_does_not_see_other_units_registrations(client, officer_market, market, prod):
    registration_for(prod, body_name="江苏省机械行业协会")

    page = home(client, officer_market)

    assert "江苏省机械行业协会" not in page
    assert "本单位没有外部备案。" in page


def test_officer_who_left_has_no_officer_card(client, officer_market):
    Officer.objects.filter(user=officer_market).update(status=Officer.Status.LEFT)

    page = home(client, officer_market)

    assert "我是市场部的信息联络员" not in page


def test_head_sees_own_unit_with_its_officer(client, head_market, officer_market, prod):
    page = home(client, head_market)

    card = page.split("我负责或分管的单位")[1].split("</article>")[0]
    assert "市场部" in card and "张三" in card
    # 个人信息保护 (issue 18 §5): a head holds no contact list, so the officer's phone is masked.
    assert "138****5678" in card and "13812345678" not in card
    assert "生产部" not in card


def test_leader_sees_every_supervised_unit_and_the_one_without_officer(client, leader, officer_market, prod):
    page = home(client, leader)

    card = page.split("我负责或分管的单位")[1].split("</article>")[0]
    assert "市场部" in card and "生产部" in card
    assert "无在岗联络员" in card


def test_employee_sees_greeting_and_directory_link_only(client, employee):
    page = home(client, employee)

    assert "您好，陈员工" in page
    assert 'href="/officers/"' in page
    for card in ("缺少在岗联络员的单位", "待报备的变更", "我负责或分管的单位", "的信息联络员</strong>"):
        assert card not in page


def test_outsider_head_does_not_see_other_departments(client, finance, market, officer_market):
    page = home(client, finance.head)

    card = page.split("我负责或分管的单位")[1].split("</article>")[0]
    assert "财务部" in card and "市场部" not in card


def test_secretary_is_warned_about_a_year_without_holidays(client, secretary):
    # 2027: the chinesecalendar package does not know it and nobody entered it.
    with time_machine.travel("2027-01-04 10:00+08:00", tick=False):
        page = home(client, secretary)

    assert "尚未录入 2027 年的法定节假日安排" in page


def test_no_holiday_warning_when_the_year_is_entered(client, secretary):
    page = home(client, secretary)

    assert "尚未录入" not in page


def _queries_for(client, user):
    client.force_login(user)
    client.get("/")  # warm the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["secretary", "leader", "officer_market"])
def test_home_costs_the_same_queries_for_few_and_many_rows(client, request, persona, market, prod, officer_market):
    user = request.getfixturevalue(persona)
    post = Officer.objects.get(user=officer_market)
    post.duties.add(DutyFactory())
    registration_for(market, post)
    few = _queries_for(client, user)

    for n in range(5):
        unit = OrgUnitFactory(head=market.head, supervising_leader=market.supervising_leader)
        extra = OfficerFactory(unit=unit, confidentiality_signed_on=None)
        extra.duties.add(DutyFactory())
        OrgUnitFactory(supervising_leader=market.supervising_leader)
        registration = registration_for(unit, extra, body_name="备案机关%s" % n)
        ChangeFiling.objects.create(
            registration=registration, reason="officer_changed", changed_at=at("2026-03-01 09:00"),
            due_at=at("2026-03-03 09:00") + timedelta(hours=n),
        )
    second = OrgUnitFactory(head=market.head)
    OfficerFactory(unit=second, user=officer_market, phone="13900000001").duties.add(DutyFactory())
    registration_for(market, body_name="另一备案机关")
    many = _queries_for(client, user)

    assert many == few
