"""The secretariat keeps its data in the admin (issue 19 §6-7): the leaders the reports go to and the
incident severities; others without the role are refused."""
import pytest

from incidents.models import Severity
from reports.models import Recipient

pytestmark = pytest.mark.django_db


def test_the_secretariat_names_a_leader_and_edits_a_severity(client, secretary, leader):
    client.force_login(secretary)

    assert client.get("/admin/reports/recipient/").status_code == 200
    added = client.post("/admin/reports/recipient/add/", {"user": leader.pk, "monthly": "on", "yearly": "on",
                                                          "active": "on", "note": "分管领导"})
    severity = Severity.objects.create(code="x", name="测试级", limit_days=3, remind_days=1)
    changed = client.post("/admin/incidents/severity/%d/change/" % severity.pk, {
        "code": "x", "name": "测试级", "limit_days": 2, "remind_days": 1, "sort_order": 0, "active": "on"})

    assert added.status_code == 302 and Recipient.objects.get().user == leader
    assert changed.status_code == 302 and Severity.objects.get(pk=severity.pk).limit_days == 2


def test_staff_without_the_secretariat_role_cannot_change_them(client, auditor):
    auditor.is_staff = True
    auditor.save(update_fields=["is_staff"])
    client.force_login(auditor)

    assert client.get("/admin/reports/recipient/add/").status_code == 403
    assert client.get("/admin/incidents/severity/add/").status_code == 403
