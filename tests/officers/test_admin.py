"""The admin console: pages per model, the officer actions, filings and the
roster import pages."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from officers.models import ChangeFiling, Officer, Registration, RoleAssignment
from officers.services import assign_role, update_officer_contact
from tests.factories import DutyFactory, ExternalContactFactory, ExternalUnitFactory, OfficerFactory
from tests.officers.test_importer import GOOD, xlsx

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def hr(client, secretary, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    client.force_login(secretary)
    return client


@pytest.fixture
def market_officer(market):
    return OfficerFactory(unit=market, user__username="zhang", user__first_name="张三", appointed_on=date(2026, 1, 5))


@pytest.mark.parametrize(
    "name",
    [
        "orgunit",
        "staffprofile",
        "roleassignment",
        "externalunit",
        "externalcontact",
        "duty",
        "officer",
        "officerduty",
        "registration",
        "changefiling",
    ],
)
def test_every_registry_page_opens_for_hr(hr, market_officer, name):
    ExternalContactFactory()
    Registration.objects.create(
        unit=market_officer.unit, body=ExternalUnitFactory(), officer=market_officer, registered_name="张三", registered_phone="1"
    )

    listing = hr.get(reverse(f"admin:officers_{name}_changelist"))
    search = hr.get(reverse(f"admin:officers_{name}_changelist"), {"q": "张三"})

    assert listing.status_code == 200
    assert search.status_code == 200


def test_unit_list_flags_a_unit_without_officer(hr, market, prod, market_officer):
    response = hr.get(reverse("admin:officers_orgunit_changelist"), {"officer": "no"})

    units = list(response.context["cl"].result_list)
    assert units == [prod]


def test_end_appointment_action(hr, market_officer):
    response = hr.post(
        reverse("admin:officers_officer_changelist"),
        {"action": "end_appointments", "_selected_action": [market_officer.pk]},
        follow=True,
    )

    market_officer.refresh_from_db()
    assert market_officer.status == Officer.Status.LEFT
    assert [str(m) for m in response.context["messages"]] == ["已处理 1 名联络员：市场部 · 张三。"]


def test_mark_replaced_action_reports_an_officer_already_gone(hr, market_officer):
    market_officer.status = Officer.Status.LEFT
    market_officer.ended_on = date(2026, 2, 1)
    market_officer.save()

    response = hr.post(
        reverse("admin:officers_officer_changelist"),
        {"action": "mark_replaced", "_selected_action": [market_officer.pk]},
        follow=True,
    )

    market_officer.refresh_from_db()
    assert market_officer.status == Officer.Status.LEFT
    assert [str(m) for m in response.context["messages"]] == ["市场部 · 张三 当前状态为“已离任”，不能再结束任命。"]


def test_auditor_gets_no_actions_that_change(client, auditor, market_officer):
    assign_role(user=auditor, role=RoleAssignment.Role.SUPERVISION, actor=None)
    client.force_login(auditor)

    response = client.post(
        reverse("admin:officers_officer_changelist"),
        {"action": "end_appointments", "_selected_action": [market_officer.pk]},
    )

    market_officer.refresh_from_db()
    assert market_officer.is_active
    assert response.context["action_form"] is None  # no action the auditor may run


def _add_officer(client, user, unit, **extra):
    data = {
        "user": user.pk,
        "unit": unit.pk,
        "is_primary": "on",
        "phone": "13900001111",
        "email": "",
        "appointed_on": "2026-03-02",
        "note": "",
        "duty_links-TOTAL_FORMS": "1",
        "duty_links-INITIAL_FORMS": "0",
        "duty_links-0-duty": DutyFactory(code="collect", name="收集").pk,
        "duty_links-0-assigned_on": "2026-03-02",
        **extra,
    }
    return client.post(reverse("admin:officers_officer_add"), data)


def test_adding_a_second_primary_in_the_admin_is_refused(hr, market, market_officer, employee):
    response = _add_officer(hr, employee, market)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["replace"] == [
        "市场部 已有在岗主联络员 张三。请先结束其任命，或选择替换现任主联络员。"
    ]
    assert Officer.objects.filter(unit=market).count() == 1


def test_adding_with_replace_marks_the_old_one(hr, secretary, market, market_officer, employee):
    response = _add_officer(hr, employee, market, replace="on")

    assert response.status_code == 302
    market_officer.refresh_from_db()
    new = Officer.objects.get(user=employee)
    assert market_officer.status == Officer.Status.REPLACED
    assert [d.name for d in new.duties.all()] == ["收集"]
    assert new.history.get().history_user == secretary


@time_machine.travel(datetime(2026, 9, 24, 10, 0, tzinfo=SH), tick=False)
def test_contact_change_in_the_admin_opens_a_filing(hr, market_officer):
    Registration.objects.create(
        unit=market_officer.unit, body=ExternalUnitFactory(), officer=market_officer, registered_name="张三", registered_phone="1"
    )

    response = hr.post(
        reverse("admin:officers_officer_change", args=[market_officer.pk]),
        {
            "phone": "13933334444",
            "email": "",
            "appointed_on": "2026-01-05",
            "note": "",
            "duty_links-TOTAL_FORMS": "0",
            "duty_links-INITIAL_FORMS": "0",
        },
        follow=True,
    )

    filing = ChangeFiling.objects.get()
    assert filing.reason == ChangeFiling.Reason.CONTACT_CHANGED
    assert filing.due_at == datetime(2026, 9, 29, 10, 0, tzinfo=SH)
    assert "联系方式已变更，需向备案机关报备 1 项，请在期限内完成。" in [str(m) for m in response.context["messages"]]


def test_recording_a_filing_in_the_admin_marks_it_late(hr, secretary, market_officer):
    Registration.objects.create(
        unit=market_officer.unit, body=ExternalUnitFactory(), officer=market_officer, registered_name="张三", registered_phone="1"
    )
    with time_machine.travel(datetime(2026, 9, 24, 10, 0, tzinfo=SH), tick=False):
        update_officer_contact(officer=market_officer, actor=secretary, phone="13933334444")
    filing = ChangeFiling.objects.get()

    with time_machine.travel(datetime(2026, 10, 9, 10, 0, tzinfo=SH), tick=False):
        response = hr.post(
            reverse("admin:officers_changefiling_change", args=[filing.pk]),
            {"filed_at_0": "2026-10-08", "filed_at_1": "09:00:00", "note": "已网上报备"},
        )
        late = hr.get(reverse("admin:officers_changefiling_changelist"), {"late": "late"})

    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.filed_by == secretary
    assert filing.is_late()
    assert list(late.context["cl"].result_list) == [filing]
    assert filing.registration.registered_phone == "13933334444"


def test_history_page_names_the_acting_user(hr, secretary, market_officer):
    from officers.services import end_appointment

    end_appointment(officer=market_officer, actor=secretary)

    response = hr.get(reverse("admin:officers_officer_history", args=[market_officer.pk]))

    assert response.status_code == 200
    assert secretary.get_full_name() in response.content.decode()  # the display name, not the login name


def test_external_unit_shows_its_contacts(hr):
    contact = ExternalContactFactory(name="刘联系")

    response = hr.get(reverse("admin:officers_externalunit_change", args=[contact.external_unit.pk]))

    assert "刘联系" in response.content.decode()


# --- roster import pages -----------------------------------------------------------


def test_changelist_links_to_the_import(hr):
    response = hr.get(reverse("admin:officers_officer_changelist"))

    assert "从Excel导入名录" in response.content.decode()
    assert reverse("admin:officers_officer_import") in response.content.decode()


def test_template_downloads(hr, market):
    response = hr.get(reverse("admin:officers_officer_import_template"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]


def _upload(client, data, name="名录.xlsx", **extra):
    return client.post(
        reverse("admin:officers_officer_import"),
        {"step": "preview", "file": SimpleUploadedFile(name, data), **extra},
    )


def test_preview_then_confirm_imports(hr, secretary, market, prod, settings):
    preview = _upload(hr, xlsx(*GOOD))
    token = preview.context["token"]
    staged = list((settings.DATA_DIR / "imports").glob("*.xlsx"))
    nothing_yet = Officer.objects.count()

    response = hr.post(reverse("admin:officers_officer_import"), {"step": "confirm", "token": token}, follow=True)

    assert preview.status_code == 200
    assert preview.context["preview"].ok
    assert nothing_yet == 0
    assert [p.name for p in staged] == [f"{token}.xlsx"]
    assert Officer.objects.count() == 3
    assert not list((settings.DATA_DIR / "imports").glob("*.xlsx"))
    assert "已导入 3 名联络员，新建用户 3 个（新用户需在“用户”中设置密码后才能登录）。" in [
        str(m) for m in response.context["messages"]
    ]


def test_preview_with_errors_offers_no_confirm(hr, market, settings):
    response = _upload(hr, xlsx(GOOD[0], GOOD[2]))

    body = response.content.decode()
    assert response.context["token"] is None
    assert "单位“生产部”不存在（请填写单位名称或编码）。" in body
    assert "确认导入" not in body
    assert not list((settings.DATA_DIR / "imports").glob("*.xlsx"))


def test_upload_that_is_not_excel_is_refused(hr, market):
    response = _upload(hr, b"just some text", name="名录.xlsx")

    assert response.context["form"].errors["file"] == ["文件不是有效的 Excel (.xlsx) 文件。"]


def test_confirm_with_a_token_not_from_this_session_is_refused(hr, market, client, django_user_model):
    response = hr.post(
        reverse("admin:officers_officer_import"), {"step": "confirm", "token": "0" * 32}, follow=True
    )

    assert ["上传的文件已失效，请重新上传。"] == [str(m) for m in response.context["messages"]]
    assert not Officer.objects.exists()


def test_auditor_cannot_open_the_import(client, auditor):
    assign_role(user=auditor, role=RoleAssignment.Role.SUPERVISION, actor=None)
    client.force_login(auditor)

    page = client.get(reverse("admin:officers_officer_import"))
    template = client.get(reverse("admin:officers_officer_import_template"))

    assert page.status_code == 403
    assert template.status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "admin:officers_orgunit_add",
        "admin:officers_officer_add",
        "admin:officers_roleassignment_add",
        "admin:officers_externalunit_add",
        "admin:officers_registration_add",
        "admin:officers_duty_add",
        "admin:auth_user_add",
        "admin:officers_officer_import",
    ],
)
def test_hr_add_pages_open(hr, url):
    assert hr.get(reverse(url)).status_code == 200


def test_hr_user_page_shows_unit_and_roles(hr, secretary, employee):
    response = hr.get(reverse("admin:auth_user_change", args=[secretary.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "人力资源管理" in body


def test_filing_cannot_be_added_by_hand(hr):
    assert hr.get(reverse("admin:officers_changefiling_add")).status_code == 403
