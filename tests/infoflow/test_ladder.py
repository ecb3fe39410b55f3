"""The escalation ladder is data the secretariat edits in the admin
(infoflow/ladder.py, infoflow/admin_ladder.py); the sweep follows it."""
import datetime as dt

import time_machine

from infoflow.models import EscalationRung
from infoflow.services.chain import open_step, submit_item
from infoflow.services.deadlines import sweep

CST = dt.timezone(dt.timedelta(hours=8))
OPENED = dt.datetime(2026, 3, 10, 9, 30, tzinfo=CST)


def escalated_to(make_item, org):
    with time_machine.travel(OPENED, tick=False):
        item = submit_item(item=make_item(needs_coordination=True), actor=org["officer_market"])
    assert open_step(item).decider == "unit_head"
    with time_machine.travel(OPENED + dt.timedelta(days=2), tick=False):
        return sorted(n.recipient.username for n in sweep() if n.kind == "escalation")


def test_default_ladder_sends_a_heads_overdue_step_to_the_supervising_leader(org, make_item):
    assert EscalationRung.objects.get(decider="unit_head").target == "item_unit_leader"

    assert escalated_to(make_item, org) == ["leader"]


def test_secretariat_edits_the_ladder_in_the_admin_and_the_sweep_follows(client, org, make_item):
    rung = EscalationRung.objects.get(decider="unit_head")
    client.force_login(org["secretary"])

    page = client.get("/admin/infoflow/escalationrung/")
    response = client.post(f"/admin/infoflow/escalationrung/{rung.pk}/change/",
                           {"decider": "unit_head", "target": "role", "role": "general_manager"})

    assert page.status_code == 200 and "发起部门负责人" in page.content.decode()
    assert response.status_code == 302
    rung.refresh_from_db()
    assert (rung.target, rung.role) == ("role", "general_manager")
    assert rung.history.filter(history_user=org["secretary"]).count() == 1
    assert escalated_to(make_item, org) == ["gm"]


def test_a_role_rung_without_a_role_is_refused_in_chinese(client, org):
    rung = EscalationRung.objects.get(decider="unit_head")
    client.force_login(org["secretary"])

    response = client.post(f"/admin/infoflow/escalationrung/{rung.pk}/change/",
                           {"decider": "unit_head", "target": "role", "role": ""})

    assert response.status_code == 200
    assert "请选择升级给哪个角色。" in response.content.decode()


def test_nobody_stops_the_ladder(org, make_item):
    EscalationRung.objects.filter(decider="unit_head").update(target="nobody", role="")

    assert escalated_to(make_item, org) == []


def test_an_employee_may_not_edit_the_ladder(client, org):
    org["employee"].is_staff = True
    org["employee"].save()
    client.force_login(org["employee"])

    assert client.get("/admin/infoflow/escalationrung/").status_code == 403
