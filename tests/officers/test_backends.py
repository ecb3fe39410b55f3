"""Admin rights come from organisation roles (officers.backends) and the role
services keep staff status in step."""
import pytest
from django.urls import reverse

from officers.models import Officer, RoleAssignment
from officers.services import assign_role, remove_role
from tests.factories import OfficerFactory, RoleFactory, UserFactory

Role = RoleAssignment.Role


@pytest.fixture
def staff_auditor(auditor):
    # The persona holds the role but was made without the service: give it
    # the staff status the service gives.
    assign_role(user=auditor, role=Role.SUPERVISION, actor=None)
    auditor.refresh_from_db()
    return auditor


def test_hr_admin_may_change_officers_but_not_delete_them(secretary):
    assert secretary.has_perm("officers.change_officer")
    assert secretary.has_perm("officers.add_officer")
    assert secretary.has_perm("officers.add_changefiling")
    assert secretary.has_perm("auth.change_user")
    assert not secretary.has_perm("officers.delete_officer")
    assert not secretary.has_perm("officers.delete_changefiling")
    assert not secretary.has_perm("auth.delete_user")
    assert secretary.has_perm("officers.delete_roleassignment")


def test_secretariat_alone_views_officers_and_edits_the_calendar(db):
    user = UserFactory(username="clerk")
    RoleFactory(user=user, role=Role.SECRETARIAT)

    assert user.has_perm("officers.view_officer")
    assert not user.has_perm("officers.change_officer")
    assert user.has_perm("liaison.change_calendarday")
    assert user.has_perm("liaison.add_calendaryear")
    assert not user.has_perm("liaison.view_auditentry")


def test_supervision_views_everything_and_changes_nothing(auditor):
    assert auditor.has_perm("officers.view_officer")
    assert auditor.has_perm("officers.view_changefiling")
    assert auditor.has_perm("liaison.view_auditentry")
    assert auditor.has_perm("liaison.view_audit")
    assert auditor.has_perm("liaison.view_calendarday")
    assert not auditor.has_perm("officers.change_officer")
    assert not auditor.has_perm("liaison.change_calendarday")
    assert not auditor.has_perm("auth.view_user")


def test_officer_and_inactive_user_get_no_permission(officer_market, auditor):
    auditor.is_active = False

    assert officer_market.get_all_permissions() == set()
    assert not auditor.has_perm("officers.view_officer")


def test_assign_role_gives_staff_status_and_remove_takes_it(secretary, employee):
    assign_role(user=employee, role=Role.SUPERVISION, actor=secretary)
    employee.refresh_from_db()
    assert employee.is_staff

    assign_role(user=employee, role=Role.GENERAL_MANAGER, actor=secretary)
    remove_role(user=employee, role=Role.SUPERVISION, actor=secretary)

    employee.refresh_from_db()
    assert not employee.is_staff
    assert list(employee.roles.values_list("role", flat=True)) == [Role.GENERAL_MANAGER]
    record = RoleAssignment.history.filter(user_id=employee.pk, role=Role.SUPERVISION).order_by("history_id")
    assert [(r.history_type, r.history_user) for r in record] == [("+", secretary), ("-", secretary)]


def test_non_admin_role_gives_no_staff_status(secretary, employee):
    assign_role(user=employee, role=Role.LEGAL, actor=secretary)

    employee.refresh_from_db()
    assert not employee.is_staff


def test_superuser_keeps_staff_status_when_last_role_goes(secretary):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    assign_role(user=admin, role=Role.ARCHIVIST, actor=secretary)

    remove_role(user=admin, role=Role.ARCHIVIST, actor=secretary)

    admin.refresh_from_db()
    assert admin.is_staff


def test_user_without_hr_rights_cannot_assign_roles(auditor, employee):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        assign_role(user=employee, role=Role.HR_ADMIN, actor=auditor)

    assert not employee.roles.exists()


# --- through the admin console -----------------------------------------------------


def test_officer_cannot_reach_the_admin(client, officer_market):
    client.force_login(officer_market)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_secretary_can_change_an_officer_in_the_admin(client, secretary, market):
    officer = OfficerFactory(unit=market, phone="13800000001")
    client.force_login(secretary)
    url = reverse("admin:officers_officer_change", args=[officer.pk])

    page = client.get(url)
    response = client.post(
        url,
        {
            "phone": "13800000002",
            "email": "",
            "appointed_on": "2026-01-05",
            "note": "已核对",
            "duty_links-TOTAL_FORMS": "0",
            "duty_links-INITIAL_FORMS": "0",
        },
    )

    assert page.status_code == 200
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    officer.refresh_from_db()
    assert officer.phone == "13800000002"
    assert officer.note == "已核对"
    assert officer.history.order_by("-history_id").first().history_user == secretary


def test_auditor_can_view_but_not_change_an_officer(client, staff_auditor, market):
    officer = OfficerFactory(unit=market, phone="13800000001")
    client.force_login(staff_auditor)
    url = reverse("admin:officers_officer_change", args=[officer.pk])

    listing = client.get(reverse("admin:officers_officer_changelist"))
    page = client.get(url)
    post = client.post(url, {"phone": "13899999999", "appointed_on": "2026-01-05"})
    add = client.get(reverse("admin:officers_officer_add"))
    audit = client.get(reverse("admin:liaison_auditentry_changelist"))

    assert listing.status_code == 200
    assert page.status_code == 200
    assert post.status_code == 403
    assert add.status_code == 403
    assert audit.status_code == 200
    officer.refresh_from_db()
    assert officer.phone == "13800000001"


def test_hr_cannot_make_anyone_superuser(client, secretary, employee):
    client.force_login(secretary)
    url = reverse("admin:auth_user_change", args=[employee.pk])

    form = client.get(url).context["adminform"].form

    assert "is_superuser" not in form.fields
    assert "user_permissions" not in form.fields


def test_hr_cannot_change_a_superuser(client, secretary):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(secretary)

    response = client.post(reverse("admin:auth_user_change", args=[root.pk]), {"username": "root", "first_name": "x"})

    root.refresh_from_db()
    assert response.status_code == 403
    assert root.first_name != "x"


def test_role_admin_add_and_delete_go_through_the_services(client, secretary, employee):
    client.force_login(secretary)

    client.post(reverse("admin:officers_roleassignment_add"), {"user": employee.pk, "role": Role.SUPERVISION, "note": ""})
    employee.refresh_from_db()
    staff_after_add = employee.is_staff
    assignment = RoleAssignment.objects.get(user=employee)
    client.post(reverse("admin:officers_roleassignment_delete", args=[assignment.pk]), {"post": "yes"})

    employee.refresh_from_db()
    assert staff_after_add
    assert not employee.is_staff
    assert not RoleAssignment.objects.filter(user=employee).exists()
