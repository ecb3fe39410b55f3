"""The officer directory page (officers:directory)."""
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from officers.models import OfficerDuty
from tests.factories import DutyFactory, OfficerFactory, OrgUnitFactory


def _fill(units, prefix):
    duty = DutyFactory(code="collect", name="收集")
    for n in range(units):
        officer = OfficerFactory(unit=OrgUnitFactory(code=f"{prefix}{n}", name=f"部门{prefix}{n}"))
        OfficerDuty.objects.create(officer=officer, duty=duty)


def test_directory_shows_officers_and_flags_units_without_one(client, employee, officer_market, prod):
    client.force_login(employee)

    body = client.get(reverse("officers:directory")).content.decode()

    assert "张三" in body
    assert "以下单位暂无在岗联络员，请尽快配备：<strong>生产部</strong>" in body


def test_directory_needs_login(client):
    response = client.get(reverse("officers:directory"))

    assert response.status_code == 302


def test_directory_query_count_does_not_grow_with_rows(client, employee, django_assert_num_queries):
    client.force_login(employee)
    _fill(2, "a")
    client.get(reverse("officers:directory"))  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("officers:directory"))
    _fill(10, "b")

    with django_assert_num_queries(len(few)):
        response = client.get(reverse("officers:directory"))

    assert response.content.decode().count("收集") == 12
