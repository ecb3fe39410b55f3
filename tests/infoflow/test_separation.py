"""Separation of duties (issue 10 §2): nobody decides a step on an item they
initiated or drafted, directly or as a deputy; nobody holds two consecutive
stages of an external item; the stage passes to the next decider and the
timeline says why."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from infoflow import selectors
from infoflow.models import Item, ReviewStep, StepAssignee
from infoflow.permissions import can_decide, can_take
from infoflow.services.chain import approve_step, open_step, return_step, submit_item
from infoflow.services.delegation import create_delegation
from infoflow.services.drafting import create_item, update_item
from infoflow.services.routing import preview_route, route_label
from liaison.errors import InvalidInput, NotAllowed, StepClosed
from tests.factories import OfficerFactory, OrgUnitFactory, RoleFactory, UserFactory
from tests.infoflow.conftest import NOW

pytestmark = pytest.mark.django_db


def _draft(actor, unit, receiver_unit, **fields):
    values = {
        "subject": "关于三月安全检查结果的报告",
        "summary": "请于3月20日前反馈整改计划。",
        "expected_feedback_at": timezone.now() + dt.timedelta(days=10),
    }
    values.update(fields)
    return create_item(actor=actor, unit=unit, fields=values, receivers=[{"kind": "unit", "unit": receiver_unit}])


def _open(item):
    return open_step(Item.objects.get(pk=item.pk))


def _pending(step):
    return sorted(
        a.user.username for a in step.assignees.filter(decision=StepAssignee.Decision.PENDING).select_related("user")
    )


def _timeline_details(item):
    return [e["detail"] for e in selectors.item_timeline(Item.objects.get(pk=item.pk)) if "转交" in str(e["what"])]


@pytest.fixture
def head_is_officer(org):
    """Seed 003: the unit's officer is its head (王五 heads and reports for 市场部)."""
    OfficerFactory(unit=org["market"], user=org["head_market"], is_primary=False)
    return org["head_market"]


def test_head_who_drafted_an_external_item_is_passed_over_to_the_supervising_leader(org, head_is_officer, frozen):
    item = _draft(head_is_officer, org["market"], org["prod"], direction="external")

    item = submit_item(item=item, actor=head_is_officer)

    step = _open(item)
    assert (step.name, _pending(step)) == ("部门负责人", ["leader"])
    assert step.handovers[0]["reason"] == "author"
    assert _timeline_details(item) == ["王五 是本信息的起草人，按回避规则由 李四 审核"]
    assert not can_decide(head_is_officer, step)
    assert can_decide(org["leader"], step)


def test_leader_who_took_the_heads_stage_does_not_hold_the_next_one_of_an_external_item(org, head_is_officer, frozen):
    item = submit_item(item=_draft(head_is_officer, org["market"], org["prod"], direction="external"),
                       actor=head_is_officer)

    approve_step(step=_open(item), actor=org["leader"], opinion="同意")

    step = _open(item)
    assert (step.name, _pending(step)) == ("分管领导", ["gm"])
    assert _timeline_details(item) == [
        "王五 是本信息的起草人，按回避规则由 李四 审核",
        "李四 已审核上一环节，按双人审核规则由 吴总 审核",
    ]
    approve_step(step=step, actor=org["gm"], opinion="同意")
    assert Item.objects.get(pk=item.pk).state == Item.State.APPROVED


def test_the_route_preview_names_who_decides_after_recusal(org, head_is_officer, frozen):
    item = _draft(head_is_officer, org["market"], org["prod"], direction="external")

    rows = preview_route(item)

    assert route_label(rows) == "部门负责人 李四 → 分管领导 吴总"
    assert rows[0]["handovers"] == ["王五 是本信息的起草人，按回避规则由 李四 审核"]


def test_an_officer_who_is_head_of_a_unit_with_no_superior_cannot_submit_for_his_own_review(finance, frozen, prod):
    head = finance.head
    OfficerFactory(unit=finance, user=head)
    item = _draft(head, finance, prod, direction="internal", needs_coordination=True)

    with pytest.raises(InvalidInput) as excinfo:
        submit_item(item=item, actor=head)

    assert str(excinfo.value.message if hasattr(excinfo.value, "message") else excinfo.value) == (
        "钱七 是本信息的起草人，“部门负责人”环节没有可接替的审核人，请联系秘书处。"
    )
    assert Item.objects.get(pk=item.pk).state == Item.State.DRAFT
    assert Item.objects.get(pk=item.pk).number is None


def test_a_head_who_edited_the_draft_is_a_drafter_and_stands_aside(org, head_is_officer, frozen):
    item = _draft(org["officer_market"], org["market"], org["prod"], direction="internal", needs_coordination=True)
    update_item(item=item, actor=head_is_officer, fields={"summary": "请于3月18日前反馈整改计划。"})

    item = submit_item(item=Item.objects.get(pk=item.pk), actor=org["officer_market"])

    step = _open(item)
    assert _pending(step) == ["leader"]
    assert _timeline_details(item) == ["王五 是本信息的起草人，按回避规则由 李四 审核"]


def test_the_submitter_is_an_author_even_if_someone_else_drafted(org, head_is_officer, frozen):
    item = _draft(org["officer_market"], org["market"], org["prod"], direction="internal", needs_coordination=True)

    item = submit_item(item=item, actor=head_is_officer)

    assert _pending(_open(item)) == ["leader"]


def test_an_ordinary_item_still_goes_to_the_head(org, frozen):
    item = _draft(org["officer_market"], org["market"], org["prod"], direction="internal", needs_coordination=True)

    item = submit_item(item=item, actor=org["officer_market"])

    step = _open(item)
    assert (_pending(step), step.handovers) == (["head_market"], [])
    assert _timeline_details(item) == []


def test_initial_review_drafted_by_the_only_secretary_passes_to_the_secretariat_lead(org, frozen):
    OfficerFactory(unit=org["market"], user=org["secretary"], is_primary=False)
    lead = UserFactory(username="sec_lead", first_name="秘书长")
    RoleFactory(user=lead, role="secretariat_lead")
    item = _draft(org["secretary"], org["market"], org["prod"], kind="publication")

    item = submit_item(item=item, actor=org["secretary"])

    step = _open(item)
    assert (step.name, _pending(step)) == ("秘书处初审", ["sec_lead"])
    assert _timeline_details(item) == ["周秘书 是本信息的起草人，按回避规则由 秘书长 审核"]
    assert not can_take(org["secretary"], step)
    assert can_take(lead, step)


def test_initial_review_drafted_by_one_of_two_secretaries_stays_with_the_other(org, frozen):
    OfficerFactory(unit=org["market"], user=org["secretary"], is_primary=False)
    other = UserFactory(username="secretary2", first_name="吴秘书")
    RoleFactory(user=other, role="secretariat")
    item = _draft(org["secretary"], org["market"], org["prod"], kind="publication")

    item = submit_item(item=item, actor=org["secretary"])

    assert _pending(_open(item)) == ["secretary2"]
    assert _timeline_details(item) == ["周秘书 是本信息的起草人，按回避规则由 吴秘书 审核"]


# --- deputies ------------------------------------------------------------------


def _delegate(principal, deputy, start=NOW, end=NOW + dt.timedelta(days=2)):
    return create_delegation(actor=principal, principal=principal, deputy=deputy, start=start, end=end, reason="出差")


def test_a_deputy_in_force_who_drafted_the_item_passes_the_principals_stage_on(org, frozen):
    _delegate(org["head_market"], org["officer_market"])
    item = _draft(org["officer_market"], org["market"], org["prod"], direction="internal", needs_coordination=True)

    item = submit_item(item=item, actor=org["officer_market"])

    step = _open(item)
    assert _pending(step) == ["leader"]
    assert _timeline_details(item) == ["王五 的代理人 张三 是本信息的起草人，按回避规则由 李四 审核"]


def test_a_deputy_named_after_the_step_opened_cannot_decide_the_item_he_drafted(org, frozen):
    item = submit_item(
        item=_draft(org["officer_market"], org["market"], org["prod"], direction="internal", needs_coordination=True),
        actor=org["officer_market"],
    )
    step = _open(item)
    assert _pending(step) == ["head_market"]
    _delegate(org["head_market"], org["officer_market"])

    assert not can_decide(org["officer_market"], step)
    with pytest.raises(NotAllowed) as excinfo:
        approve_step(step=step, actor=org["officer_market"], opinion="同意")
    with pytest.raises(NotAllowed):
        return_step(step=step, actor=org["officer_market"], opinion="请补充")

    assert str(excinfo.value) == "您是本信息的发起人或起草人，按回避规则不能审核本信息，请由其他审核人处理。"
    assert StepAssignee.objects.get(step=step).decision == StepAssignee.Decision.PENDING
    approve_step(step=step, actor=org["head_market"], opinion="同意")
    assert ReviewStep.objects.get(pk=step.pk).state == ReviewStep.State.APPROVED


def test_a_deputy_who_decided_the_heads_stage_does_not_hold_the_leaders_stage_himself(org, frozen):
    _delegate(org["head_market"], org["leader"])
    item = submit_item(item=_draft(org["officer_market"], org["market"], org["prod"], direction="external"),
                       actor=org["officer_market"])

    approve_step(step=_open(item), actor=org["leader"], opinion="代为同意")

    step = _open(item)
    assert (step.name, _pending(step)) == ("分管领导", ["gm"])
    assert _timeline_details(item) == ["李四 已审核上一环节，按双人审核规则由 吴总 审核"]
    first = StepAssignee.objects.get(step__item=item, step__stage_index=0)
    assert (first.user.username, first.decided_by.username) == ("head_market", "leader")


def test_a_head_who_decided_himself_does_not_hold_the_next_stage_as_the_leaders_deputy(org, frozen):
    _delegate(org["leader"], org["head_market"])
    item = submit_item(item=_draft(org["officer_market"], org["market"], org["prod"], direction="external"),
                       actor=org["officer_market"])

    approve_step(step=_open(item), actor=org["head_market"], opinion="同意")

    step = _open(item)
    assert _pending(step) == ["gm"]
    assert _timeline_details(item) == ["李四 的代理人 王五 已审核上一环节，按双人审核规则由 吴总 审核"]


def test_a_deputy_named_later_cannot_take_the_next_stage_of_an_external_item(org, frozen):
    item = submit_item(item=_draft(org["officer_market"], org["market"], org["prod"], direction="external"),
                       actor=org["officer_market"])
    approve_step(step=_open(item), actor=org["head_market"], opinion="同意")
    step = _open(item)
    assert _pending(step) == ["leader"]
    _delegate(org["leader"], org["head_market"])

    assert not can_decide(org["head_market"], step)
    with pytest.raises(NotAllowed) as excinfo:
        approve_step(step=step, actor=org["head_market"], opinion="同意")

    assert str(excinfo.value) == "您已审核本信息的上一环节，按双人审核规则不能再审核本环节，请由其他审核人处理。"
    assert can_decide(org["leader"], step)


def test_an_internal_item_may_have_one_person_at_consecutive_stages(org, frozen):
    # The two-person rule is seed 004's, for external items: a cross-department
    # item's head stage then the receiving heads' sign-off, where the receiving
    # head is also the market head's deputy, is not touched.
    _delegate(org["head_market"], org["head_prod"])
    item = submit_item(
        item=_draft(org["officer_market"], org["market"], org["prod"], direction="internal", kind="coordination"),
        actor=org["officer_market"],
    )

    approve_step(step=_open(item), actor=org["head_prod"], opinion="代为同意")

    assert _pending(_open(item)) == ["head_prod"]


def test_outsider_and_closed_step_are_refused_as_before(org, head_is_officer, frozen):
    item = submit_item(item=_draft(head_is_officer, org["market"], org["prod"], direction="external"),
                       actor=head_is_officer)
    step = _open(item)

    with pytest.raises(NotAllowed):
        approve_step(step=step, actor=org["outsider"], opinion="同意")
    approve_step(step=step, actor=org["leader"], opinion="同意")
    with pytest.raises(StepClosed):
        approve_step(step=step, actor=org["leader"], opinion="同意")


def test_seed_003_member_unit_whose_officer_is_head_passes_to_the_association_secretariat(db, frozen, prod):
    head = UserFactory(username="member_head", first_name="沈会员")
    unit = OrgUnitFactory(code="member1", name="苏州精工", number_prefix="HY", head=head, kind="member")
    OfficerFactory(unit=unit, user=head)
    association = UserFactory(username="assoc", first_name="协会秘书")
    RoleFactory(user=association, role="association_secretariat")
    item = _draft(head, unit, prod, direction="internal")

    item = submit_item(item=item, actor=head)

    step = _open(item)
    assert (step.name, _pending(step)) == ("部门负责人", ["assoc"])
    assert _timeline_details(item) == ["沈会员 是本信息的起草人，按回避规则由 协会秘书 审核"]


def test_the_draft_page_says_who_reviews_instead_and_why(org, head_is_officer, frozen, client):
    item = _draft(head_is_officer, org["market"], org["prod"], direction="external")
    client.force_login(head_is_officer)

    page = client.get(reverse("infoflow:item-detail", args=[item.pk])).content.decode()

    assert "王五 是本信息的起草人，按回避规则由 李四 审核" in page


def test_the_item_page_offers_no_review_button_to_the_author_deputy(org, frozen, client):
    item = submit_item(
        item=_draft(org["officer_market"], org["market"], org["prod"], direction="internal", needs_coordination=True),
        actor=org["officer_market"],
    )
    step = _open(item)
    _delegate(org["head_market"], org["officer_market"])
    review_url = reverse("infoflow:review", args=[item.pk, step.pk])
    client.force_login(org["officer_market"])

    page = client.get(reverse("infoflow:item-detail", args=[item.pk])).content.decode()
    refused = client.post(review_url, {"decision": "approve", "opinion": "同意"})

    assert review_url not in page
    assert refused.status_code == 403
    assert StepAssignee.objects.get(step=step).decision == StepAssignee.Decision.PENDING


def test_the_review_inbox_of_a_deputy_leaves_out_the_item_he_initiated(org, frozen):
    item = submit_item(
        item=_draft(org["officer_market"], org["market"], org["prod"], direction="internal", needs_coordination=True),
        actor=org["officer_market"],
    )
    other = submit_item(
        item=_draft(org["officer_prod"], org["prod"], org["market"], direction="internal", needs_coordination=True),
        actor=org["officer_prod"],
    )
    _delegate(org["head_market"], org["officer_market"])
    _delegate(org["head_prod"], org["officer_market"])

    inbox = [s.item_id for s in selectors.review_inbox(org["officer_market"])]

    assert inbox == [other.pk]
    assert [s.item_id for s in selectors.review_inbox(org["head_market"])] == [item.pk]


def test_the_timeline_tells_the_handover_right_after_the_stage_start(org, head_is_officer, frozen):
    item = submit_item(item=_draft(head_is_officer, org["market"], org["prod"], direction="external"),
                       actor=head_is_officer)

    whats = [str(e["what"]) for e in selectors.item_timeline(Item.objects.get(pk=item.pk))]

    start = whats.index("环节“部门负责人”开始（第 1 轮）")
    assert whats[start + 1] == "环节“部门负责人”转交"


def test_the_preview_of_a_new_draft_already_passes_the_heads_stage_to_the_leader(org, head_is_officer, frozen, client):
    client.force_login(head_is_officer)

    page = client.post(
        reverse("infoflow:route-preview"), {"unit": org["market"].pk, "direction": "external"}
    ).content.decode()

    assert "王五 是本信息的起草人，按回避规则由 李四 审核" in page
