"""The review chain: every default route walked, 会签 and 或签, pool stages,
return and resubmit, withdraw, cancel, and the unhappy paths."""
import datetime as dt

import pytest
from django.utils import timezone

from infoflow.models import Category, DecisionMode, Item, ReviewStep, RouteRule, RouteStage, StepAssignee
from infoflow.services.chain import (
    approve_step,
    cancel_item,
    open_step,
    return_step,
    submit_item,
    take_step,
    withdraw_item,
)
from liaison.errors import InvalidInput, NotAllowed, StateConflict, StepClosed
from tests.factories import RoleFactory, UserFactory
from tests.infoflow.conftest import NOW

pytestmark = pytest.mark.django_db


def approve_as(item, user, opinion="同意"):
    step = open_step(Item.objects.get(pk=item.pk))
    approve_step(step=step, actor=user, opinion=opinion)
    return Item.objects.get(pk=item.pk)


def deciders(item):
    step = open_step(Item.objects.get(pk=item.pk))
    return [a.user.username for a in step.assignees.order_by("pk")]


# --- routes walked end to end ----------------------------------------------------


def test_routine_internal_item_needs_no_review(org, make_item, frozen):
    item = submit_item(item=make_item(), actor=org["officer_market"])

    assert item.state == Item.State.TRANSMITTED  # by the portal's message on submission (test_direct_transmission)
    assert item.number == "NX-2026-001"
    assert item.route_name == "内部常规信息"
    assert item.steps.count() == 0
    assert item.submitted_at == timezone.now()


def test_cross_department_item_goes_to_the_head(org, make_item, frozen):
    item = submit_item(item=make_item(needs_coordination=True), actor=org["officer_market"])

    assert deciders(item) == ["head_market"]
    item = approve_as(item, org["head_market"])
    assert item.state == Item.State.APPROVED


def test_external_item_walks_head_then_leader(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])

    step = item.steps.get()
    assert step.due_at == NOW + dt.timedelta(days=1)  # one working day later, Wednesday 09:30
    item = approve_as(item, org["head_market"])
    assert item.state == Item.State.IN_REVIEW
    assert deciders(item) == ["leader"]
    item = approve_as(item, org["leader"], "同意报出")
    assert item.state == Item.State.APPROVED
    assert item.approved_at == timezone.now()
    assert list(item.history.values_list("history_change_reason", flat=True))[:3] == ["approve", "approve", "submit"]


def test_major_external_item_goes_on_to_the_general_manager(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external", is_major=True), actor=org["officer_market"])

    item = approve_as(item, org["head_market"])
    item = approve_as(item, org["leader"])
    assert deciders(item) == ["gm"]
    item = approve_as(item, org["gm"])
    assert item.state == Item.State.APPROVED


def test_legal_effect_item_gets_legal_review(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external", kind="legal"), actor=org["officer_market"])

    item = approve_as(item, org["head_market"])
    item = approve_as(item, org["leader"])
    assert deciders(item) == ["legal"]
    item = approve_as(item, org["legal"], "条款无异议")
    assert item.state == Item.State.APPROVED


def test_major_legal_item_ends_with_the_general_manager(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external", has_legal_effect=True, is_major=True),
                       actor=org["officer_market"])

    for user in ("head_market", "leader", "legal"):
        item = approve_as(item, org[user])
    assert deciders(item) == ["gm"]


def test_publication_starts_with_the_secretariat_pool(org, make_item, frozen):
    other = UserFactory(username="sec2", first_name="吴秘书")
    RoleFactory(user=other, role="secretariat")
    item = submit_item(item=make_item(kind="publication", release_channels=["intranet"]), actor=org["officer_market"])
    step = open_step(item)
    assert sorted(deciders(item)) == ["sec2", "secretary"]

    take_step(step=step, actor=org["secretary"])

    with pytest.raises(StepClosed) as error:
        take_step(step=step, actor=other)
    assert error.value.message == "该环节已由 周秘书 领取。"
    with pytest.raises(StepClosed):
        approve_step(step=step, actor=other, opinion="同意")
    item = approve_as(item, org["secretary"], "格式已规范")
    assert deciders(item) == ["head_market"]
    item = approve_as(item, org["head_market"])
    item = approve_as(item, org["leader"])
    assert item.state == Item.State.APPROVED
    assert StepAssignee.objects.get(step=step, user=other).decision == StepAssignee.Decision.NOT_NEEDED


def test_pool_member_may_approve_without_taking_first(org, make_item, frozen):
    item = submit_item(item=make_item(kind="publication"), actor=org["officer_market"])

    item = approve_as(item, org["secretary"])

    assert item.steps.get(stage_index=0).assignees.get().taken_at == timezone.now()


def test_pool_reviewer_may_edit_the_text_and_the_change_is_kept(org, make_item, frozen):
    from infoflow.services.drafting import update_item

    item = submit_item(item=make_item(kind="publication"), actor=org["officer_market"])

    update_item(item=item, actor=org["secretary"], fields={"summary": "（秘书处修改）请各部门报送名单。"})

    item.refresh_from_db()
    assert item.summary == "（秘书处修改）请各部门报送名单。"
    assert item.history.first().history_change_reason == "reviewer_edit"
    assert item.history.first().history_user == org["secretary"]
    with pytest.raises(InvalidInput):
        update_item(item=item, actor=org["secretary"], fields={"urgency": "urgent"})
    with pytest.raises(NotAllowed):
        update_item(item=item, actor=org["officer_market"], fields={"summary": "x"})


def test_emergency_is_sent_first_and_reviewed_after(org, make_item, frozen):
    from infoflow.services.delivery import transmit_item

    item = make_item(category=Category.objects.get(code="safety"), urgency="urgent")
    item = submit_item(item=item, actor=org["officer_market"])

    assert item.state == Item.State.APPROVED
    assert item.send_first is True
    assert deciders(item) == ["head_market"]
    transmit_item(item=item, actor=org["officer_market"], methods=["phone"], written_record="已电话通知生产部赵六")
    item = approve_as(item, org["head_market"])
    assert item.state == Item.State.TRANSMITTED
    item = approve_as(item, org["leader"])
    assert item.state == Item.State.TRANSMITTED
    assert open_step(item) is None
    assert item.approved_at == timezone.now()


def test_emergency_review_return_keeps_the_item_sent_and_can_be_reviewed_again(org, make_item, frozen):
    item = submit_item(item=make_item(category=Category.objects.get(code="emergency")), actor=org["officer_market"])

    return_step(step=open_step(item), actor=org["head_market"], opinion="情况描述不完整")

    item.refresh_from_db()
    assert item.state == Item.State.APPROVED
    item = submit_item(item=item, actor=org["officer_market"])
    assert item.review_round == 2
    assert deciders(item) == ["head_market"]


# --- 会签 and 或签 -------------------------------------------------------------


@pytest.fixture
def coordination_item(org, make_item, frozen):
    item = make_item(kind="coordination", receivers=[{"kind": "unit", "unit": org["prod"]},
                                                      {"kind": "unit", "unit": org["finance"]}])
    item = submit_item(item=item, actor=org["officer_market"])
    return approve_as(item, org["head_market"])


def test_all_mode_waits_for_every_receiving_head(org, coordination_item):
    item = coordination_item
    assert deciders(item) == ["head_prod", "head_finance"]

    item = approve_as(item, org["head_prod"])

    assert item.state == Item.State.IN_REVIEW
    step = open_step(item)
    assert step.state == ReviewStep.State.OPEN
    item = approve_as(item, step.assignees.get(user__username="head_finance").user)
    assert item.state == Item.State.APPROVED


def test_any_mode_closes_on_the_first_approval(org, coordination_item):
    RouteStage.objects.filter(rule__name="跨部门协调（会签）", order=2).update(mode=DecisionMode.ANY)
    # The route is frozen in the item: change its snapshot as a rule edit before submission would.
    item = coordination_item
    snapshot = item.route_snapshot
    snapshot[1]["mode"] = DecisionMode.ANY
    ReviewStep.objects.filter(item=item, stage_index=1).update(mode=DecisionMode.ANY)

    item = approve_as(item, org["head_prod"])

    assert item.state == Item.State.APPROVED
    finance = StepAssignee.objects.get(step__item=item, user__username="head_finance")
    assert finance.decision == StepAssignee.Decision.NOT_NEEDED


def test_any_mode_route_from_the_rules(org, make_item, frozen):
    RouteStage.objects.filter(rule__name="跨部门协调（会签）", order=2).update(mode=DecisionMode.ANY)
    item = make_item(kind="coordination", receivers=[{"kind": "unit", "unit": org["prod"]},
                                                      {"kind": "unit", "unit": org["finance"]}])
    item = submit_item(item=item, actor=org["officer_market"])
    item = approve_as(item, org["head_market"])

    item = approve_as(item, org["head_prod"])

    assert item.state == Item.State.APPROVED


def test_a_head_cannot_decide_the_same_all_step_twice(org, coordination_item):
    step = open_step(coordination_item)
    approve_step(step=step, actor=org["head_prod"], opinion="同意")

    with pytest.raises(StepClosed) as error:
        approve_step(step=step, actor=org["head_prod"], opinion="同意")

    assert error.value.message == "该环节已由他人处理，请刷新后查看最新状态。"
    assert StepAssignee.objects.get(step=step, user=org["head_prod"]).history.filter(
        history_change_reason="approve").count() == 1


# --- return and resubmit ---------------------------------------------------------


def test_return_needs_a_reason(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])

    with pytest.raises(InvalidInput) as error:
        return_step(step=open_step(item), actor=org["head_market"], opinion="  ")

    assert error.value.message == "请填写退回理由。"


def test_return_and_resubmit_starts_again_from_the_first_stage(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])
    item = approve_as(item, org["head_market"])
    return_step(step=open_step(item), actor=org["leader"], opinion="请补充报价依据")
    item.refresh_from_db()
    assert item.state == Item.State.RETURNED
    number = item.number

    item = submit_item(item=item, actor=org["officer_market"])

    assert item.number == number
    assert item.review_round == 2
    assert deciders(item) == ["head_market"]
    assert item.steps.filter(review_round=1).count() == 2  # the first round stays visible
    assert item.steps.get(review_round=1, stage_index=1).state == ReviewStep.State.RETURNED


def test_resubmit_from_the_returning_stage(org, coordination_item):
    item = coordination_item
    step = open_step(item)
    return_step(step=step, actor=org["head_prod"], opinion="需先确认排产")
    assert StepAssignee.objects.get(step=step, user__username="head_finance").decision == "not_needed"

    item = submit_item(item=Item.objects.get(pk=item.pk), actor=org["officer_market"])

    assert open_step(item).stage_index == 1
    assert deciders(item) == ["head_prod", "head_finance"]
    assert not item.steps.filter(review_round=2, stage_index=0).exists()


def test_returned_item_can_be_edited_by_the_initiator(org, make_item, frozen):
    from infoflow.services.drafting import update_item

    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])
    return_step(step=open_step(item), actor=org["head_market"], opinion="主题不明确")

    update_item(item=item, actor=org["officer_market"], fields={"subject": "关于调整报价的函（修改）"})

    assert Item.objects.get(pk=item.pk).subject == "关于调整报价的函（修改）"


# --- withdraw and cancel ---------------------------------------------------------------


def test_withdraw_before_the_first_decision(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])
    step = open_step(item)

    item = withdraw_item(item=item, actor=org["officer_market"])

    assert item.state == Item.State.WITHDRAWN
    step.refresh_from_db()
    assert step.state == ReviewStep.State.SKIPPED
    with pytest.raises(StepClosed):
        approve_step(step=step, actor=org["head_market"], opinion="同意")
    item = submit_item(item=item, actor=org["officer_market"])
    assert item.state == Item.State.IN_REVIEW and item.review_round == 2


def test_withdraw_after_a_decision_is_refused(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])
    item = approve_as(item, org["head_market"])

    with pytest.raises(StateConflict) as error:
        withdraw_item(item=item, actor=org["officer_market"])

    assert error.value.message == "审核人已作出审核意见，不能撤回。"


def test_withdraw_by_someone_else_is_not_allowed(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])

    with pytest.raises(NotAllowed):
        withdraw_item(item=item, actor=org["head_market"])


def test_withdraw_a_draft_is_a_state_conflict(org, make_item):
    with pytest.raises(StateConflict):
        withdraw_item(item=make_item(), actor=org["officer_market"])


def test_cancel_needs_a_reason_and_revokes_open_steps(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])
    with pytest.raises(InvalidInput) as error:
        cancel_item(item=item, actor=org["officer_market"], reason="")
    assert error.value.message == "请填写作废原因。"

    item = cancel_item(item=item, actor=org["officer_market"], reason="客户已取消订单")

    assert item.state == Item.State.CANCELLED
    assert item.cancel_reason == "客户已取消订单"
    assert not item.steps.filter(state=ReviewStep.State.OPEN).exists()
    with pytest.raises(StateConflict):
        cancel_item(item=item, actor=org["officer_market"], reason="再次作废")


def test_secretariat_may_cancel_but_an_outsider_may_not(org, make_item, frozen):
    item = submit_item(item=make_item(), actor=org["officer_market"])
    with pytest.raises(NotAllowed):
        cancel_item(item=item, actor=org["outsider"], reason="x")

    item = cancel_item(item=item, actor=org["secretary"], reason="重复报送")

    assert item.state == Item.State.CANCELLED


# --- wrong user, wrong state, bad input ---------------------------------------------------


def test_only_an_assignee_decides(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])

    for user in ("leader", "officer_market", "secretary", "head_prod"):
        with pytest.raises(NotAllowed):
            approve_step(step=open_step(item), actor=org[user], opinion="同意")
    with pytest.raises(NotAllowed):
        return_step(step=open_step(item), actor=org["leader"], opinion="不同意")


def test_a_stage_cannot_be_decided_after_the_item_moved_on(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])
    first = open_step(item)
    approve_as(item, org["head_market"])

    with pytest.raises(StepClosed):
        return_step(step=first, actor=org["head_market"], opinion="撤回同意")


def test_a_later_stage_cannot_be_decided_early(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])
    later = ReviewStep.objects.create(item=item, review_round=1, stage_index=1, name="分管领导",
                                      decider="supervising_leader", state=ReviewStep.State.OPEN)
    StepAssignee.objects.create(step=later, user=org["leader"])

    with pytest.raises(StepClosed):
        approve_step(step=later, actor=org["leader"], opinion="同意")


def test_submit_twice_is_a_state_conflict(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])

    with pytest.raises(StateConflict):
        submit_item(item=item, actor=org["officer_market"])


def test_submit_by_another_unit_is_not_allowed(org, make_item, frozen):
    with pytest.raises(NotAllowed):
        submit_item(item=make_item(), actor=org["officer_prod"])


def test_submit_without_expected_feedback_time_is_refused(org, make_item, frozen):
    item = make_item(expected_feedback_at=None)

    with pytest.raises(InvalidInput) as error:
        submit_item(item=item, actor=org["officer_market"])

    assert error.value.message == "请填写预计反馈时间（具体日期和时间）。"
    assert Item.objects.get(pk=item.pk).number is None


def test_expected_feedback_time_in_the_past_is_refused(org, make_item, frozen):
    item = make_item(expected_feedback_at=timezone.now() - dt.timedelta(hours=1))

    with pytest.raises(InvalidInput):
        submit_item(item=item, actor=org["officer_market"])


def test_a_notice_needs_no_expected_feedback_time(org, make_item, frozen):
    item = make_item(kind="notice", expected_feedback_at=None, receivers=[{"kind": "all_staff"}])

    item = submit_item(item=item, actor=org["officer_market"])

    assert item.needs_answer is False and item.expected_feedback_at is None
    assert item.to_all_staff is True
    assert item.state == Item.State.COMPLETED  # sent on submission; all staff has nobody to sign


def test_submit_without_receivers_is_refused(org, make_item, frozen):
    with pytest.raises(InvalidInput) as error:
        submit_item(item=make_item(receivers=[]), actor=org["officer_market"])

    assert error.value.message == "请至少选择一个接收部门、接收人或外部单位。"


def test_submit_refuses_a_route_with_a_stage_nobody_can_decide(org, make_item, frozen):
    org["market"].supervising_leader = None
    org["market"].save()
    item = make_item(direction="external")

    with pytest.raises(InvalidInput) as error:
        submit_item(item=item, actor=org["officer_market"])

    assert error.value.message == "市场部 未设置分管领导，无法进入“分管领导”环节，请联系人力资源部维护。"
    assert Item.objects.get(pk=item.pk).state == Item.State.DRAFT


def test_take_is_only_for_pool_stages(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])

    with pytest.raises(InvalidInput):
        take_step(step=open_step(item), actor=org["head_market"])


def test_step_records_who_decided_and_when(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])
    step = open_step(item)

    approve_step(step=step, actor=org["head_market"], opinion="")

    assignee = step.assignees.get()
    assert (assignee.decision, assignee.opinion, assignee.decided_by, assignee.decided_at) == (
        "approved", "同意", org["head_market"], timezone.now())
    step.refresh_from_db()
    assert step.closed_at == timezone.now() and step.state == ReviewStep.State.APPROVED
    assert step.history.first().history_user == org["head_market"]


def test_rule_change_after_submission_does_not_move_the_item(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])
    RouteRule.objects.filter(name="对外信息").update(is_active=False)

    item = approve_as(item, org["head_market"])

    assert deciders(item) == ["leader"]
