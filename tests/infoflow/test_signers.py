"""加签 / 减签 / 转办 / 退回至指定环节 (issue 15): each with the wrong user, the
wrong state, and the permission changes it causes."""
import pytest
from guardian.core import ObjectPermissionChecker

from infoflow.models import Item, ReviewStep, StepAssignee, StepChange
from infoflow.services.chain import approve_step, open_step, return_step, submit_item, withdraw_item
from infoflow.services.signers import add_signer, removable_changes, remove_signer
from infoflow.services.transfer import earlier_stages, return_to_stage, transfer_step
from liaison.models import Notification
from liaison.errors import InvalidInput, NotAllowed, StepClosed
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def sees(user, item):
    return ObjectPermissionChecker(user).has_perm("view_item", Item.objects.get(pk=item.pk))


def current(item):
    return open_step(Item.objects.get(pk=item.pk))


@pytest.fixture
def external(org, make_item, frozen):
    """An external item in review: 部门负责人 (head_market) → 分管领导 (leader)."""
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])
    assert [a.user.username for a in current(item).assignees.all()] == ["head_market"]
    return item


@pytest.fixture
def safety(db):
    return UserFactory(username="safety", first_name="安全员")


# --- 加签 ---------------------------------------------------------------------------


def test_add_before_opens_the_signer_first_then_the_step_again(org, external, safety, frozen):
    step = current(external)
    assert not sees(safety, external)

    change = add_signer(step=step, actor=org["head_market"], person=safety, position="before", reason="请安全员把关")

    assert change.kind == StepChange.Kind.ADD_BEFORE and change.actor == org["head_market"]
    now_open = current(external)
    assert [a.user for a in now_open.assignees.all()] == [safety]
    assert now_open.stage_index == 0 and now_open.due_at is not None and now_open.limit_amount
    waiting = ReviewStep.objects.get(pk=step.pk)
    assert waiting.state == ReviewStep.State.WAITING and waiting.stage_index == 1
    assert sees(safety, external)  # permissions follow the step
    assert sees(org["head_market"], external)  # the waiting decider keeps the item in view
    assert Notification.objects.filter(recipient=safety).exists()

    approve_step(step=now_open, actor=safety, opinion="无安全问题")
    again = current(external)
    assert again.pk == step.pk and again.state == ReviewStep.State.OPEN
    approve_step(step=again, actor=org["head_market"])
    assert [a.user.username for a in current(external).assignees.all()] == ["leader"]


def test_add_after_opens_after_the_current_step(org, external, safety):
    step = current(external)
    add_signer(step=step, actor=org["head_market"], person=safety, position="after", reason="会签安全")
    assert not sees(safety, external)  # not yet: the stage has not opened

    approve_step(step=step, actor=org["head_market"])
    added = current(external)
    assert [a.user for a in added.assignees.all()] == [safety] and added.decider == "named"
    assert sees(safety, external)
    approve_step(step=added, actor=safety)
    assert [a.user.username for a in current(external).assignees.all()] == ["leader"]


def test_add_parallel_makes_the_step_wait_for_both(org, external, safety):
    step = current(external)
    add_signer(step=step, actor=org["head_market"], person=safety, position="parallel", reason="并行")
    assert sees(safety, external)

    approve_step(step=step, actor=org["head_market"])
    assert current(external).pk == step.pk  # 会签: still waiting for the added signer
    approve_step(step=step, actor=safety)
    assert [a.user.username for a in current(external).assignees.all()] == ["leader"]


def test_route_of_other_items_is_unchanged(org, external, safety, make_item):
    add_signer(step=current(external), actor=org["head_market"], person=safety, position="after", reason="x")
    other = submit_item(item=make_item(direction="external"), actor=org["officer_market"])
    assert len(Item.objects.get(pk=external.pk).route_snapshot) == 3
    assert len(other.route_snapshot) == 2
    assert external.route_rule.stages.count() == 2


def test_add_signer_wrong_user_wrong_state_bad_input(org, external, safety):
    step = current(external)
    with pytest.raises(NotAllowed):
        add_signer(step=step, actor=org["leader"], person=safety, position="after", reason="x")
    with pytest.raises(NotAllowed):
        add_signer(step=step, actor=safety, person=org["gm"], position="after", reason="x")
    with pytest.raises(InvalidInput):
        add_signer(step=step, actor=org["head_market"], person=safety, position="after", reason=" ")
    with pytest.raises(InvalidInput):
        add_signer(step=step, actor=org["head_market"], person=safety, position="sideways", reason="x")
    with pytest.raises(InvalidInput):  # an author stands aside (回避)
        add_signer(step=step, actor=org["head_market"], person=org["officer_market"], position="after", reason="x")
    with pytest.raises(InvalidInput):
        add_signer(step=step, actor=org["head_market"], person=org["head_market"], position="after", reason="x")
    inactive = UserFactory(username="gone", is_active=False)
    with pytest.raises(InvalidInput):
        add_signer(step=step, actor=org["head_market"], person=inactive, position="after", reason="x")
    approve_step(step=step, actor=org["head_market"])
    with pytest.raises(StepClosed):  # the step moved on
        add_signer(step=step, actor=org["head_market"], person=safety, position="after", reason="x")
    assert not StepChange.objects.exists()


def test_parallel_refused_on_a_pool_stage(org, make_item, safety, frozen):
    item = submit_item(item=make_item(kind="publication"), actor=org["officer_market"])
    step = current(item)
    if step.decider != "secretariat_pool":
        pytest.skip("publication route starts elsewhere")
    with pytest.raises(InvalidInput):
        add_signer(step=step, actor=org["secretary"], person=safety, position="parallel", reason="x")


# --- 减签 ---------------------------------------------------------------------------


def test_remove_a_future_signer(org, external, safety):
    change = add_signer(step=current(external), actor=org["head_market"], person=safety, position="after", reason="x")
    assert removable_changes(Item.objects.get(pk=external.pk), org["head_market"]) == [change]
    with pytest.raises(NotAllowed):
        remove_signer(change=change, actor=org["leader"], reason="y")

    removal = remove_signer(change=change, actor=org["head_market"], reason="不再需要")

    assert removal.undoes == change and removal.kind == StepChange.Kind.REMOVE
    assert len(Item.objects.get(pk=external.pk).route_snapshot) == 2
    with pytest.raises(StepClosed):
        remove_signer(change=change, actor=org["head_market"], reason="again")
    approve_step(step=current(external), actor=org["head_market"])
    assert [a.user.username for a in current(external).assignees.all()] == ["leader"]


def test_remove_a_before_signer_reopens_the_step(org, external, safety):
    step = current(external)
    change = add_signer(step=step, actor=org["head_market"], person=safety, position="before", reason="x")
    assert sees(safety, external)

    remove_signer(change=change, actor=org["head_market"], reason="已电话沟通")

    again = current(external)
    assert again.pk == step.pk and again.stage_index == 0
    assert not sees(safety, external)  # removed: the grant goes with the step
    assert Notification.objects.filter(recipient=safety, subject__contains="减签").exists()


def test_remove_a_parallel_signer_closes_the_step_when_the_rest_approved(org, external, safety):
    step = current(external)
    change = add_signer(step=step, actor=org["head_market"], person=safety, position="parallel", reason="x")
    approve_step(step=step, actor=org["head_market"])
    remove_signer(change=change, actor=org["head_market"], reason="不等了")
    assert not sees(safety, external)
    assert [a.user.username for a in current(external).assignees.all()] == ["leader"]


def test_cannot_remove_a_signer_who_acted(org, external, safety):
    step = current(external)
    change = add_signer(step=step, actor=org["head_market"], person=safety, position="parallel", reason="x")
    approve_step(step=step, actor=safety)
    with pytest.raises(StepClosed):
        remove_signer(change=change, actor=org["head_market"], reason="y")
    assert sees(safety, external)


# --- 转办 ---------------------------------------------------------------------------


def test_transfer_hands_the_step_over(org, external, safety):
    step = current(external)
    change = transfer_step(step=step, actor=org["head_market"], person=safety, reason="出差，请代为审核")

    assert change.kind == StepChange.Kind.TRANSFER
    rows = {a.user.username: a.decision for a in step.assignees.all()}
    assert rows == {"head_market": StepAssignee.Decision.TRANSFERRED, "safety": StepAssignee.Decision.PENDING}
    assert sees(safety, external) and sees(org["head_market"], external)
    with pytest.raises(StepClosed):  # the transferrer no longer decides
        approve_step(step=step, actor=org["head_market"])
    assert Notification.objects.filter(recipient=safety, kind="task").exists()
    approve_step(step=step, actor=safety, opinion="同意")
    assert [a.user.username for a in current(external).assignees.all()] == ["leader"]


def test_transfer_wrong_user_wrong_state(org, external, safety):
    step = current(external)
    with pytest.raises(NotAllowed):
        transfer_step(step=step, actor=org["leader"], person=safety, reason="x")
    with pytest.raises(InvalidInput):
        transfer_step(step=step, actor=org["head_market"], person=safety, reason="")
    with pytest.raises(InvalidInput):  # the initiator stands aside (回避)
        transfer_step(step=step, actor=org["head_market"], person=org["officer_market"], reason="x")
    return_step(step=step, actor=org["head_market"], opinion="请修改")
    with pytest.raises(StepClosed):
        transfer_step(step=step, actor=org["head_market"], person=safety, reason="x")


# --- 退回至指定环节 -------------------------------------------------------------------


def test_return_to_a_chosen_earlier_stage(org, external):
    approve_step(step=current(external), actor=org["head_market"])
    leader_step = current(external)
    assert [index for index, _name in earlier_stages(Item.objects.get(pk=external.pk), leader_step)] == [0]
    with pytest.raises(InvalidInput):
        return_to_stage(step=leader_step, actor=org["leader"], stage_index=1, opinion="x")
    with pytest.raises(InvalidInput):
        return_to_stage(step=leader_step, actor=org["leader"], stage_index=0, opinion="")
    with pytest.raises(NotAllowed):
        return_to_stage(step=leader_step, actor=org["head_market"], stage_index=0, opinion="x")

    opened = return_to_stage(step=leader_step, actor=org["leader"], stage_index=0, opinion="请部门负责人复核数据")

    item = Item.objects.get(pk=external.pk)
    assert item.state == Item.State.IN_REVIEW and item.review_round == 2
    assert opened.stage_index == 0 and [a.user.username for a in opened.assignees.all()] == ["head_market"]
    assert ReviewStep.objects.get(pk=leader_step.pk).state == ReviewStep.State.RETURNED
    assert StepChange.objects.get(kind=StepChange.Kind.RETURN_TO).reason == "请部门负责人复核数据"
    with pytest.raises(StepClosed):
        return_to_stage(step=leader_step, actor=org["leader"], stage_index=0, opinion="again")


def test_withdraw_revokes_a_waiting_step(org, external, safety):
    step = current(external)
    add_signer(step=step, actor=org["head_market"], person=safety, position="before", reason="x")
    withdraw_item(item=external, actor=org["officer_market"])
    assert ReviewStep.objects.get(pk=step.pk).state == ReviewStep.State.SKIPPED
    assert not sees(safety, external)


# --- deadlines of added and reopened steps --------------------------------------------


def test_added_step_due_on_the_working_calendar_and_reopened_step_keeps_its_limit(org, external, safety, frozen,
                                                                                    settings):
    """An added stage stores the review limit in force when it opens and is due
    after it on the working calendar (Friday → Monday, not Saturday); the step
    that waited behind a 前加签 opens again with the limit it stored at first,
    whatever the settings say now."""
    import datetime as dt

    from infoflow import limits

    step = current(external)
    stored = (step.limit_amount, step.limit_unit)
    frozen.move_to(dt.datetime(2026, 3, 13, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))  # a Friday
    add_signer(step=step, actor=org["head_market"], person=safety, position="before", reason="x")
    added = current(external)
    assert (added.limit_amount, added.limit_unit) == limits.limit_of("review", external.urgency)
    assert added.due_at == limits.due(added.started_at, added.limit_amount, added.limit_unit)
    assert added.due_at.astimezone(dt.timezone(dt.timedelta(hours=8))).weekday() == 0  # Monday, over the weekend

    settings.TIME_LIMITS = {**settings.TIME_LIMITS, "review": {**settings.TIME_LIMITS["review"],
                                                               "normal": (3, "working_days")}}
    approve_step(step=added, actor=safety)
    again = current(external)
    assert again.pk == step.pk and (again.limit_amount, again.limit_unit) == stored
    assert again.due_at == limits.due(again.started_at, *stored)
    assert again.notice_at is None  # the deadline sweep looks at it afresh


def test_notices_tell_only_who_may_see_and_keep_a_restricted_reason_off(org, make_item, safety, frozen):
    """A signer after the current stage is told when their stage opens (then
    they see the item), not before; on a restricted item no notice quotes
    the reason."""
    item = submit_item(item=make_item(direction="external", confidentiality="restricted"),
                       actor=org["officer_market"])
    add_signer(step=current(item), actor=org["head_market"], person=safety, position="after", reason="机密理由")
    assert not Notification.objects.filter(recipient=safety).exists() and not sees(safety, item)

    transfer_step(step=current(item), actor=org["head_market"], person=org["gm"], reason="机密理由")
    notice = Notification.objects.get(recipient=org["gm"], subject__contains="转办")
    assert "机密理由" not in notice.body and item.subject not in notice.body
