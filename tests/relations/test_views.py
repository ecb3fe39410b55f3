"""Pages of relations (/relations/): 404 for what one may not see, 403 for
what one sees but may not do, input kept on errors, fixed query counts."""
import datetime as dt

import pytest
from django.urls import reverse

from relations.models import FollowUpAction, Occurrence, Visit
from tests.factories import UserFactory
from tests.relations.conftest import MONDAY, at, make_obligation, make_visit
from tests.relations.test_obligations import proof

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_the_visit_page_is_a_404_for_another_department(client, visit, officer_prod):
    response = login(client, officer_prod).get(reverse("relations:visit-detail", args=[visit.pk]))
    assert response.status_code == 404


def test_the_officer_records_a_visit_through_the_form(client, officer_market, market, customer, contact):
    with at(MONDAY):
        response = login(client, officer_market).post(reverse("relations:visit-create"), {
            "external_unit": customer.pk, "contact": contact.pk, "unit": market.pk, "visitors": [officer_market.pk],
            "visited_on": "2026-03-09", "kind": "regular", "method": "phone", "purpose": "电话回访", "findings": ""})

    visit = Visit.objects.get()
    assert response.status_code == 302 and response.url == reverse("relations:visit-detail", args=[visit.pk])


def test_a_bad_visit_keeps_the_input_and_says_why(client, officer_market, market, customer):
    with at(MONDAY):
        response = login(client, officer_market).post(reverse("relations:visit-create"), {
            "external_unit": customer.pk, "unit": market.pk, "visitors": [officer_market.pk],
            "visited_on": "2026-04-01", "kind": "regular", "method": "phone", "purpose": "电话回访Q"})

    assert response.status_code == 200 and not Visit.objects.exists()
    assert "走访日期不能晚于今天" in response.content.decode() and "电话回访Q" in response.content.decode()


def test_an_employee_may_not_record_a_visit(client, employee):
    assert login(client, employee).get(reverse("relations:visit-create")).status_code == 403


def test_an_action_on_a_holiday_is_refused_with_the_form_kept(client, visit, officer_market):
    with at(MONDAY):
        response = login(client, officer_market).post(reverse("relations:action-add", args=[visit.pk]), {
            "action-text": "劳动节答复", "action-owner": officer_market.pk, "action-due_on": "2026-05-01"})

    assert response.status_code == 400 and "2026-05-01 不是工作日" in response.content.decode()
    assert "劳动节答复" in response.content.decode() and not FollowUpAction.objects.exists()


def test_the_owner_completes_an_action_from_the_page(client, action, officer_market):
    response = login(client, officer_market).post(reverse("relations:action-done", args=[action.pk]),
                                                  {"result": "已答复客户"})

    assert response.status_code == 302
    assert FollowUpAction.objects.get(pk=action.pk).result == "已答复客户"


def test_an_action_of_an_invisible_visit_is_a_404(client, action, officer_prod):
    response = login(client, officer_prod).post(reverse("relations:action-done", args=[action.pk]), {"result": "x"})
    assert response.status_code == 404


def test_the_external_unit_page_lists_visits_and_obligations(client, visit, occurrence, customer, officer_market,
                                                            secretary, regulator):
    page = login(client, officer_market).get(reverse("relations:unit-detail", args=[customer.pk])).content.decode()
    assert "季度客户回访" in page
    page = login(client, secretary).get(reverse("relations:unit-detail", args=[regulator.pk])).content.decode()
    assert "企业年度报告公示" in page


def test_the_external_unit_page_is_a_404_for_staff_without_a_liaison_role(client, customer, employee):
    assert login(client, employee).get(reverse("relations:unit-detail", args=[customer.pk])).status_code == 404


def test_the_admin_change_page_of_the_external_unit_shows_the_visible_visits(client, visit, customer, secretary):
    page = login(client, secretary).get(reverse("admin:officers_externalunit_change", args=[customer.pk]))

    assert page.status_code == 200
    assert "走访记录与对外事项" in page.content.decode() and "季度客户回访" in page.content.decode()


def test_the_calendar_shows_the_month_and_late_ones(client, occurrence, officer_market, officer_prod):
    with at(MONDAY):
        page = login(client, officer_market).get(reverse("relations:calendar") + "?month=2026-03").content.decode()
    assert "企业年度报告公示" in page
    with at(dt.datetime(2026, 4, 2, 10, 0, tzinfo=MONDAY.tzinfo)):
        late = login(client, officer_market).get(reverse("relations:calendar") + "?state=late").content.decode()
    assert "企业年度报告公示" in late and "已逾期" in late
    assert "企业年度报告公示" not in login(client, officer_prod).get(
        reverse("relations:calendar") + "?month=2026-03").content.decode()


def test_done_with_proof_from_the_page_and_the_proof_is_kept_to_those_who_see_it(client, occurrence, officer_market,
                                                                                  officer_prod):
    with at(MONDAY):
        response = login(client, officer_market).post(reverse("relations:occurrence-done", args=[occurrence.pk]),
                                                      {"proof": proof(), "note": "已公示"})
    assert response.status_code == 302
    assert Occurrence.objects.filter(obligation=occurrence.obligation).count() == 2
    assert login(client, officer_market).get(
        reverse("relations:occurrence-proof", args=[occurrence.pk])).status_code == 200
    assert login(client, officer_prod).get(
        reverse("relations:occurrence-proof", args=[occurrence.pk])).status_code == 404


def test_done_without_a_proof_says_so(client, occurrence, officer_market):
    response = login(client, officer_market).post(reverse("relations:occurrence-done", args=[occurrence.pk]),
                                                  {"note": "已公示"})
    assert response.status_code == 400 and "请上传办理凭证并填写办理说明" in response.content.decode()


def test_the_visit_list_takes_a_fixed_number_of_queries(client, officer_market, market, customer, contact,
                                                        django_assert_max_num_queries):
    make_visit(officer_market, market, customer, contact)
    login(client, officer_market)
    client.get(reverse("relations:visit-list"))  # warm the caches (roles, menu)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("relations:visit-list"))
    for day in range(1, 9):
        make_visit(officer_market, market, customer, contact, visited_on=dt.date(2026, 3, day),
                   visitors=[officer_market, UserFactory()])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("relations:visit-list") + "?q=苏州")
    assert response.content.decode().count("季度客户回访") == 9


def test_the_calendar_takes_a_fixed_number_of_queries(client, secretary, regulator, market,
                                                      django_assert_max_num_queries):
    make_obligation(secretary, regulator, owner_unit=market)
    login(client, secretary)
    url = reverse("relations:calendar") + "?month=2026-03"
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for n in range(8):
        make_obligation(secretary, regulator, owner_user=secretary, title="年报%d" % n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("年报") == 8
