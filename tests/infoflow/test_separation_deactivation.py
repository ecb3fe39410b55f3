"""An inactive user keeps no open step (issue 10 §2): switching an account off
(admin change form, admin action, the service) hands each open review step to
the deputy in force or the next decider, and the secretariat is told."""
import datetime as dt
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from infoflow import selectors
from infoflow.models import Item, StepAssignee
from infoflow.permissions import can_decide
from infoflow.services.chain import approve_step, open_step, submit_item, take_step
from infoflow.services.delegation import create_delegation
from infoflow.services.drafting import create_item
from infoflow.services.handover import deactivate_user
from liaison.models import Notification
from tests.factories import RoleFactory, UserFactory
from tests.infoflow.conftest import NOW

pytestmark = pytest.mark.django_db


def _submitted(org, **fields):
    values = {"subject": "关于三月安全检查结果的报告", "summary": "请于3月20日前反馈整改计划。",
              "expected_feedback_at": timezone.now() + dt.timedelta(days=10)}
    values.update(fields)
    item = create_item(actor=org["officer_market"], unit=org["market"], fields=values,
                       receivers=[{"kind": "unit", "unit": org["prod"]}])
    return submit_item(item=item, actor=org["officer_market"])


def _open(item):
    return open_step(Item.objects.get(pk=item.pk))


def _pending(step):
    return sorted(a.user.username for a in step.assignees.filter(decision="pending").select_related("user"))


def _handover_lines(item):
    return [e["detail"] for e in selectors.item_timeline(Item.objects.get(pk=item.pk)) if "转交" in str(e["what"])]


def test_a_deactivated_head_hands_the_step_to_the_supervising_leader_and_the_secretariat_is_told(org, frozen):
    item = _submitted(org, direction="external")

    done = deactivate_user(user=org["head_market"], actor=org["secretary"])

    step = _open(item)
    assert len(done) == 1
    assert _pending(step) == ["leader"]
    assert StepAssignee.objects.get(step=step, user=org["head_market"]).decision == "not_needed"
    assert _handover_lines(item) == ["王五 的账号已停用，其待办环节转由 李四 审核"]
    told = Notification.objects.get(recipient=org["secretary"], subject="账号停用，待审核环节已转交")
    assert told.body == (
        "王五 的账号已停用，其 1 个待审核环节已转交：信息 %s“关于三月安全检查结果的报告”的“部门负责人”环节 → 李四。"
        % item.number
    )
    assert Notification.objects.filter(recipient=org["leader"], kind="task").count() == 1
    approve_step(step=step, actor=org["leader"], opinion="同意")


def test_the_deputy_in_force_takes_the_step(org, frozen):
    create_delegation(actor=org["head_market"], principal=org["head_market"], deputy=org["head_prod"],
                      start=NOW, end=NOW + dt.timedelta(days=3))
    item = _submitted(org, direction="internal", needs_coordination=True)

    deactivate_user(user=org["head_market"], actor=org["secretary"])

    step = _open(item)
    assert _pending(step) == ["head_prod"]
    assert _handover_lines(item) == ["王五 的账号已停用，其待办环节转由 赵六 审核"]
    assert can_decide(org["head_prod"], step)


def test_a_deputy_who_drafted_the_item_does_not_take_it(org, frozen):
    create_delegation(actor=org["head_market"], principal=org["head_market"], deputy=org["officer_market"],
                      start=NOW + dt.timedelta(hours=1), end=NOW + dt.timedelta(days=3))
    item = _submitted(org, direction="internal", needs_coordination=True)
    frozen.move_to(NOW + dt.timedelta(hours=2))

    deactivate_user(user=org["head_market"], actor=org["secretary"])

    assert _pending(_open(item)) == ["leader"]


def test_a_pool_stage_the_user_had_taken_goes_back_to_the_rest_of_the_pool(org, frozen):
    other = UserFactory(username="secretary2", first_name="吴秘书")
    RoleFactory(user=other, role="secretariat")
    item = _submitted(org, kind="publication")
    take_step(step=_open(item), actor=org["secretary"])
    assert _pending(_open(item)) == ["secretary"]

    deactivate_user(user=org["secretary"], actor=org["gm"])

    step = _open(item)
    assert _pending(step) == ["secretary2"]
    assert can_decide(other, step)
    assert _handover_lines(item) == ["周秘书 的账号已停用，其待办环节转由 吴秘书 审核"]


def test_a_user_with_no_open_step_is_switched_off_and_nobody_is_told(org, frozen):
    done = deactivate_user(user=org["employee"], actor=org["secretary"])

    org["employee"].refresh_from_db()
    assert (done, org["employee"].is_active) == ([], False)
    assert not Notification.objects.filter(subject="账号停用，待审核环节已转交").exists()


def test_a_decided_or_closed_step_is_not_touched(org, frozen):
    item = _submitted(org, direction="external")
    approve_step(step=_open(item), actor=org["head_market"], opinion="同意")

    done = deactivate_user(user=org["head_market"], actor=org["secretary"])

    assert done == []
    assert StepAssignee.objects.get(step__item=item, step__stage_index=0).decision == "approved"
    assert _pending(_open(item)) == ["leader"]


class _Form(HTMLParser):
    """The values a browser would post from the admin's change form."""

    def __init__(self):
        super().__init__()
        self.data, self._select = [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and "__prefix__" not in name and a.get("type") not in ("submit", "button"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.data.append((name, a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "select" and name and "__prefix__" not in name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.append((self._select, a.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def test_unticking_active_in_the_admin_hands_the_steps_over(org, frozen, client, admin_user):
    item = _submitted(org, direction="external")
    user = org["head_market"]
    client.force_login(admin_user)
    url = reverse("admin:auth_user_change", args=[user.pk])
    parser = _Form()
    parser.feed(client.get(url).content.decode())
    data = {}
    for name, value in parser.data:
        if name != "is_active":
            data.setdefault(name, []).append(value)

    response = client.post(url, data, follow=True)

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.is_active is False
    assert _pending(_open(item)) == ["leader"]
    assert "王五 的 1 个待审核环节已转交，并已通知秘书处。" in [str(m) for m in response.context["messages"]]


def test_saving_an_active_user_in_the_admin_hands_nothing_over(org, frozen, client, admin_user):
    item = _submitted(org, direction="external")
    user = org["head_market"]
    client.force_login(admin_user)
    url = reverse("admin:auth_user_change", args=[user.pk])
    parser = _Form()
    parser.feed(client.get(url).content.decode())
    data = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)

    client.post(url, data)

    user.refresh_from_db()
    assert user.is_active is True
    assert _pending(_open(item)) == ["head_market"]


def test_the_admin_action_switches_off_and_hands_over(org, frozen, client, admin_user):
    item = _submitted(org, direction="external")
    client.force_login(admin_user)

    client.post(reverse("admin:auth_user_changelist"),
                {"action": "deactivate", "_selected_action": [org["head_market"].pk]})

    org["head_market"].refresh_from_db()
    assert org["head_market"].is_active is False
    assert _pending(_open(item)) == ["leader"]


def test_a_step_opened_before_the_rule_for_its_author_is_handed_over_by_the_command(org, frozen):
    from io import StringIO

    from django.core.management import call_command

    item = _submitted(org, direction="internal", needs_coordination=True)
    step = _open(item)
    # The history now names the head as the one who drafted and submitted it: his
    # open step is one the rule would not have given him (opened before the rule).
    Item.history.filter(id=item.pk).update(history_user=org["head_market"])
    out = StringIO()

    call_command("recuse_open_steps", stdout=out)

    assert out.getvalue().splitlines() == [
        "%s\t部门负责人\t王五 是本信息的起草人，按回避规则由 李四 审核" % item.number,
        "handed over: 1",
    ]
    assert _pending(step) == ["leader"]
    again = StringIO()
    call_command("recuse_open_steps", stdout=again)
    assert again.getvalue() == "handed over: 0\n"


def test_hr_may_not_switch_a_superuser_off_with_the_action(org, frozen, client, admin_user):
    from django.contrib.auth.models import Permission

    hr = org["secretary"]
    hr.user_permissions.add(*Permission.objects.filter(codename__in=["change_user", "view_user"]))
    client.force_login(hr)

    response = client.post(reverse("admin:auth_user_changelist"),
                           {"action": "deactivate", "_selected_action": [admin_user.pk]}, follow=True)

    admin_user.refresh_from_db()
    assert admin_user.is_active is True
    assert "您无权停用账号 admin。" in [str(m) for m in response.context["messages"]]
