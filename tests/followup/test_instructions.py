"""拟办 → 批示 → tasks: who may, in which state, what it grants, tasks done,
cancelled and chased, and completion held open by an open task."""
import datetime as dt

import pytest
import time_machine

from followup.models import Instruction, InstructionTask, Proposal
from followup.services import cancel_task, chase_task, finish_task, give_instruction, write_proposal
from infoflow.services.delivery import acknowledge_receipt, answer_receiver, complete_item
from infoflow.visibility import items_visible_to
from liaison.errors import InvalidInput, NotAllowed, StateConflict
from liaison.models import Notification
from tests.followup.conftest import NOW, TZ

pytestmark = pytest.mark.django_db

DUE = dt.datetime(2026, 3, 13, 17, 0, tzinfo=TZ)  # Friday


def _task(owner, what="组织一次全面复查", due_at=DUE):
    return {"owner": owner, "what": what, "due_at": due_at}


# --- 拟办 -----------------------------------------------------------------------------------


def test_the_secretariat_proposes_handling_of_an_incoming_document(incoming, secretary, leader, gm):
    proposal = write_proposal(item=incoming, actor=secretary, text="拟请市场部牵头自查，报分管领导阅示。")

    assert proposal.history.filter(history_change_reason="propose").count() == 1
    told = set(Notification.objects.filter(key__startswith="followup:proposal:").values_list(
        "recipient__username", flat=True))
    assert {"leader", "gm"} <= told


def test_an_officer_may_not_propose(incoming, officer_market):
    with pytest.raises(NotAllowed):
        write_proposal(item=incoming, actor=officer_market, text="拟办")
    assert not Proposal.objects.exists()


def test_a_proposal_needs_text_and_an_incoming_document(incoming, transmitted, secretary):
    with pytest.raises(InvalidInput):
        write_proposal(item=incoming, actor=secretary, text="  ")
    with pytest.raises(InvalidInput):
        write_proposal(item=transmitted, actor=secretary, text="拟办")


def test_the_proposal_is_fixed_once_a_leader_instructed(incoming, secretary, leader):
    write_proposal(item=incoming, actor=secretary, text="拟请市场部牵头")
    give_instruction(item=incoming, actor=leader, text="同意")

    with pytest.raises(StateConflict):
        write_proposal(item=incoming, actor=secretary, text="改为生产部")


# --- 批示 -----------------------------------------------------------------------------------


def test_an_incoming_document_needs_its_proposal_before_the_instruction(incoming, leader):
    with pytest.raises(NotAllowed) as exc:
        give_instruction(item=incoming, actor=leader, text="同意")
    assert exc.value.message == "收文须先由秘书处拟办，再请领导批示。"


def test_a_leader_instructs_with_tasks_and_the_owners_gain_sight(report, leader, outsider, officer_prod):
    assert not items_visible_to(outsider).filter(pk=report.pk).exists()

    instruction = give_instruction(item=report, actor=leader, text="请生产部、财务部抓紧落实。",
                                   tasks=[_task(outsider), _task(officer_prod, "报送整改台账")])

    assert instruction.tasks.count() == 2
    assert items_visible_to(outsider).filter(pk=report.pk).exists()
    task = instruction.tasks.get(owner=outsider)
    assert task.unit.code == "finance"
    assert Notification.objects.filter(recipient=outsider, key="followup:task:%d:given" % task.pk).exists()
    assert Notification.objects.filter(recipient__username="officer_market",
                                       key="followup:instruction:%d" % instruction.pk).exists()


@pytest.mark.parametrize("who", ["head_market", "officer_market", "secretary"])
def test_only_leaders_instruct(report, who, request):
    with pytest.raises(NotAllowed):
        give_instruction(item=report, actor=request.getfixturevalue(who), text="同意")
    assert not Instruction.objects.exists()


def test_a_routine_item_is_not_for_instruction(transmitted, leader):
    with pytest.raises(NotAllowed):
        give_instruction(item=transmitted, actor=leader, text="同意")


def test_a_completed_item_takes_no_instruction(transmitted, leader, officer_prod):
    transmitted.kind = "report"
    transmitted.save()
    receiver = transmitted.receivers.get()
    acknowledge_receipt(receiver=receiver, actor=officer_prod)
    answer_receiver(receiver=receiver, actor=officer_prod, result="已办")

    with pytest.raises(StateConflict):
        give_instruction(item=transmitted, actor=leader, text="同意")


@pytest.mark.parametrize("task, message", [
    ({"what": "复查", "due_at": DUE}, "第 1 项任务：请选择责任人。"),
    ({"owner": "X", "what": " ", "due_at": DUE}, "第 1 项任务：请填写任务内容。"),
    ({"owner": "X", "what": "复查"}, "第 1 项任务：请填写完成期限。"),
    ({"owner": "X", "what": "复查", "due_at": NOW - dt.timedelta(hours=1)}, "第 1 项任务：完成期限须晚于当前时间。"),
    # Saturday 14 March 2026 is no working day.
    ({"owner": "X", "what": "复查", "due_at": dt.datetime(2026, 3, 14, 17, 0, tzinfo=TZ)},
     "第 1 项任务：完成期限 2026-03-14 不是工作日，请选择工作日。"),
])
def test_bad_tasks_are_refused_with_the_row_named(report, leader, officer_prod, task, message):
    if task.get("owner") == "X":
        task = {**task, "owner": officer_prod}

    with pytest.raises(InvalidInput) as exc:
        give_instruction(item=report, actor=leader, text="落实", tasks=[task])

    assert exc.value.message == message
    assert not Instruction.objects.exists()


# --- tasks ----------------------------------------------------------------------------------


@pytest.fixture
def task(report, leader, officer_prod):
    instruction = give_instruction(item=report, actor=leader, text="请生产部落实", tasks=[_task(officer_prod)])
    return instruction.tasks.get()


def test_the_owner_finishes_a_task_with_a_result(task, officer_prod, leader):
    finish_task(task=task, actor=officer_prod, result="已完成复查，整改到位。")

    task.refresh_from_db()
    assert (task.state, task.done_by) == ("done", officer_prod)
    assert task.history.filter(history_change_reason="done").count() == 1
    assert Notification.objects.filter(recipient=leader, key="followup:task:%d:done" % task.pk).exists()


def test_someone_else_may_not_finish_the_task(task, officer_market):
    with pytest.raises(NotAllowed):
        finish_task(task=task, actor=officer_market, result="完成")
    task.refresh_from_db()
    assert task.state == "open"


def test_a_result_is_required(task, officer_prod):
    with pytest.raises(InvalidInput):
        finish_task(task=task, actor=officer_prod, result="")


def test_a_finished_task_cannot_be_finished_or_cancelled_again(task, officer_prod, leader):
    finish_task(task=task, actor=officer_prod, result="完成")

    with pytest.raises(StateConflict):
        finish_task(task=task, actor=officer_prod, result="再次完成")
    with pytest.raises(StateConflict):
        cancel_task(task=task, actor=leader, reason="不再需要")


def test_the_author_or_secretariat_cancels_with_a_reason(task, leader, secretary, officer_prod):
    with pytest.raises(NotAllowed):
        cancel_task(task=task, actor=officer_prod, reason="不想做")
    with pytest.raises(InvalidInput):
        cancel_task(task=task, actor=leader, reason="")

    cancel_task(task=task, actor=secretary, reason="已由其他任务覆盖")

    task.refresh_from_db()
    assert (task.state, task.cancel_reason) == ("cancelled", "已由其他任务覆盖")


def test_chasing_tells_the_owner_once_an_hour(task, officer_market, officer_prod, frozen):
    chase_task(task=task, actor=officer_market)

    with pytest.raises(StateConflict):
        chase_task(task=task, actor=officer_market)
    frozen.shift(dt.timedelta(hours=1))
    chase_task(task=task, actor=officer_market)

    assert Notification.objects.filter(recipient=officer_prod, kind="chase").count() == 2


def test_the_owner_and_strangers_may_not_chase(task, officer_prod, outsider):
    with pytest.raises(NotAllowed):
        chase_task(task=task, actor=officer_prod)
    with pytest.raises(NotAllowed):
        chase_task(task=task, actor=outsider)


# --- completion -----------------------------------------------------------------------------


@pytest.fixture
def answered_with_task(transmitted, leader, officer_prod, officer_market):
    """A transmitted report with an open task: its one receiver then answers."""
    transmitted.kind = "report"
    transmitted.save()
    give_instruction(item=transmitted, actor=leader, text="落实", tasks=[_task(officer_market, "跟踪整改")])
    receiver = transmitted.receivers.get()
    acknowledge_receipt(receiver=receiver, actor=officer_prod)
    answer_receiver(receiver=receiver, actor=officer_prod, result="已整改")
    transmitted.refresh_from_db()
    return transmitted


def test_an_open_task_holds_the_item_open(answered_with_task, officer_market):
    assert answered_with_task.state == "transmitted"

    with pytest.raises(StateConflict) as exc:
        complete_item(item=answered_with_task, actor=officer_market)
    assert exc.value.message == "尚有 1 项批示任务未完成或取消，不能办结。"


def test_the_last_task_done_completes_the_item(answered_with_task, officer_market):
    task = InstructionTask.objects.get(item=answered_with_task)

    finish_task(task=task, actor=officer_market, result="整改完毕")

    answered_with_task.refresh_from_db()
    assert answered_with_task.state == "completed"


def test_cancelling_the_last_task_completes_the_item(answered_with_task, leader):
    task = InstructionTask.objects.get(item=answered_with_task)

    cancel_task(task=task, actor=leader, reason="情况已变化")

    answered_with_task.refresh_from_db()
    assert answered_with_task.state == "completed"


def test_a_task_done_while_answers_are_out_leaves_the_item_open(report, leader, officer_prod):
    with time_machine.travel(NOW, tick=False):
        instruction = give_instruction(item=report, actor=leader, text="落实", tasks=[_task(officer_prod)])
        finish_task(task=instruction.tasks.get(), actor=officer_prod, result="完成")

    report.refresh_from_db()
    assert report.state != "completed"
