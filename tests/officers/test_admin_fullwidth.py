"""Phones, e-mails and codes typed in full width in the admin fold to ASCII
before they are checked (issue 10 §5, liaison.normalize)."""
import time_machine
from datetime import datetime

from django.urls import reverse

from officers.models import OrgUnit
from tests.officers.test_admin import SH, hr, market_officer  # noqa: F401  fixtures


@time_machine.travel(datetime(2026, 9, 24, 10, 0, tzinfo=SH), tick=False)
def test_a_full_width_phone_and_email_are_stored_in_ascii(hr, market_officer):  # noqa: F811
    response = hr.post(
        reverse("admin:officers_officer_change", args=[market_officer.pk]),
        {"phone": "１３９ ３３３３ ４４４４", "email": "ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "appointed_on": "２０２６－０１－０５",
         "note": "", "duty_links-TOTAL_FORMS": "0", "duty_links-INITIAL_FORMS": "0"},
    )

    assert response.status_code == 302
    market_officer.refresh_from_db()
    assert (market_officer.phone, market_officer.email) == ("13933334444", "zhang@example.com")


@time_machine.travel(datetime(2026, 9, 24, 10, 0, tzinfo=SH), tick=False)
def test_a_phone_that_is_not_one_is_refused_in_chinese(hr, market_officer):  # noqa: F811
    response = hr.post(
        reverse("admin:officers_officer_change", args=[market_officer.pk]),
        {"phone": "1393333444", "email": "", "appointed_on": "2026-01-05", "note": "",
         "duty_links-TOTAL_FORMS": "0", "duty_links-INITIAL_FORMS": "0"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["phone"] == [
        "电话“1393333444”格式不正确：应为 11 位手机号，或带区号的固定电话（如 010-12345678）。"
    ]


def test_a_unit_code_typed_in_full_width_is_stored_in_ascii(hr, market):  # noqa: F811
    url = reverse("admin:officers_orgunit_change", args=[market.pk])
    form = hr.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields if form.initial.get(name) is not None}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    data["code"] = "ＭＡＲＫＥＴ２"

    response = hr.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert OrgUnit.objects.get(pk=market.pk).code == "MARKET2"
