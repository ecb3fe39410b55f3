"""拟办 → 批示 → tasks: the office proposes how to handle an incoming
document, a leader writes an instruction on an item sent upward and names
tasks; each task is done with a result or cancelled, and an item completes
only when none of its tasks is open (infoflow.extensions)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infoflow import people
from infoflow.models import Direction, Item
from infoflow.permissions import sync_item_grants
from infoflow.services import lock_item, save_with_history
from infoflow.services.delivery import complete_if_done
from liaison.errors import InvalidInput, NotAllowed, StateConflict
from liaison.workdays import is_workday
from officers.models import OrgUnit, RoleAssignment
from officers.roles import roles_of

from .. import notices
from ..models import Instruction, InstructionTask, Proposal, TaskChase
from ..permissions import (
    INSTRUCTABLE,
    can_cancel_task,
    can_chase_task,
    can_finish_task,
    can_instruct,
    can_propose,
    is_sent_upward,
)

MAX_TASKS = 20
# A second identical instruction by the same leader within this time is a
# double click (or a resent form), not a new instruction: refused.
REPEAT_WINDOW = dt.timedelta(minutes=10)


def _state_conflict(item):
    return StateConflict(_("信息当前状态为“%(state)s”，不能执行此操作，请刷新后查看最新状态。")
                         % {"state": item.get_state_display()})


def instructing_leaders(item) -> list:
    """Who may give the instruction: the supervising leaders of the units the
    document was assigned to (and of the registering unit), and the general
    manager, with deputies in force."""
    unit_ids = {item.unit_id, *item.receivers.filter(unit__isnull=False).values_list("unit_id", flat=True)}
    leader_ids = [u for u in OrgUnit.objects.filter(pk__in=unit_ids).order_by("pk")
                  .values_list("supervising_leader_id", flat=True) if u]
    return people.with_deputies(leader_ids) + [
        u for u in people.people_with_role(RoleAssignment.Role.GENERAL_MANAGER) if u.pk not in leader_ids]


@transaction.atomic
def write_proposal(*, item: Item, actor, text: str) -> Proposal:
    """Write (or, until a leader has instructed, revise) the office's
    proposed handling (拟办) of an incoming document (收文), the step before
    the leader's instruction. Raises StateConflict (not under way, already
    instructed), NotAllowed (not the secretariat), InvalidInput (no text).
    Tells the leaders who may instruct."""
    item = lock_item(item)
    if item.direction != Direction.INCOMING:
        raise InvalidInput(_("只有收文需要拟办。"))
    if item.state not in INSTRUCTABLE:
        raise _state_conflict(item)
    if not can_propose(actor, item):
        raise NotAllowed(_("只有秘书处可以填写拟办意见。"))
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("请填写拟办意见。"))
    if item.instructions.exists():
        raise StateConflict(_("领导已批示，拟办意见不能再修改。"))
    proposal = Proposal.objects.select_for_update().filter(item=item).first()
    if proposal is None:
        proposal = Proposal(item=item, text=text, proposed_by=actor, proposed_at=timezone.now())
        save_with_history(proposal, actor, "propose")
    else:
        proposal.text, proposal.proposed_by, proposal.proposed_at = text, actor, timezone.now()
        save_with_history(proposal, actor, "revise")
    notices.proposal_written(proposal, instructing_leaders(item), actor=actor)
    return proposal


def _owner_unit(user) -> int | None:
    roles = roles_of(user)
    for ids in (roles.officer_unit_ids, roles.headed_unit_ids):
        if ids:
            return min(ids)
    return roles.unit_id


def _clean_tasks(tasks: Iterable[dict], now: dt.datetime) -> list[dict]:
    """Each task: ``owner`` (a user or id), ``what`` and ``due_at`` (aware,
    later than now, on a working day)."""
    out = []
    users = get_user_model().objects.filter(is_active=True)
    for n, task in enumerate(tasks, start=1):
        owner = task.get("owner")
        owner = users.filter(pk=getattr(owner, "pk", owner)).first() if owner else None
        what = (task.get("what") or "").strip()
        due_at = task.get("due_at")
        if owner is None:
            raise InvalidInput(_("第 %(n)s 项任务：请选择责任人。") % {"n": n})
        if not what:
            raise InvalidInput(_("第 %(n)s 项任务：请填写任务内容。") % {"n": n})
        if due_at is None:
            raise InvalidInput(_("第 %(n)s 项任务：请填写完成期限。") % {"n": n})
        if due_at <= now:
            raise InvalidInput(_("第 %(n)s 项任务：完成期限须晚于当前时间。") % {"n": n})
        if not is_workday(timezone.localtime(due_at).date()):
            raise InvalidInput(_("第 %(n)s 项任务：完成期限 %(day)s 不是工作日，请选择工作日。") % {
                "n": n, "day": timezone.localtime(due_at).date().isoformat()})
        out.append({"owner": owner, "what": what, "due_at": due_at})
    if len(out) > MAX_TASKS:
        raise InvalidInput(_("一次批示最多下达 %(max)s 项任务。") % {"max": MAX_TASKS})
    return out


@transaction.atomic
def give_instruction(*, item: Item, actor, text: str, tasks: Iterable[dict] = ()) -> Instruction:
    """A leader's instruction (批示) on an item sent upward (a report to
    leadership, or an incoming document once its 拟办 is written), with the
    tasks it names (domain "The closed loop" §4: a report sent upward may come
    back with the leader's instruction, which becomes tracked tasks). Task
    owners join the item's path. Raises StateConflict (completed, draft…, or
    the same text by the same leader within ``REPEAT_WINDOW``: a double click),
    NotAllowed (not a leader, not sent upward, no 拟办 yet), InvalidInput.
    Tells the item's handlers and each owner."""
    item = lock_item(item)
    if item.state not in INSTRUCTABLE:
        raise _state_conflict(item)
    if not can_instruct(actor, item):
        if is_sent_upward(item) and item.direction == Direction.INCOMING and not hasattr(item, "proposal"):
            raise NotAllowed(_("收文须先由秘书处拟办，再请领导批示。"))
        raise NotAllowed(_("只有分管领导和总经理可以对报送领导的信息和收文作出批示。"))
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("请填写批示内容。"))
    now = timezone.now()
    cleaned = _clean_tasks(tasks, now)
    # Under the item's lock: of two submits of one form (a double click) the
    # second waits, then finds the first and is refused (nothing duplicated).
    repeat = (Instruction.objects.filter(item=item, author=actor, text=text, written_at__gte=now - REPEAT_WINDOW)
              .order_by("-written_at").first())
    if repeat is not None:
        raise StateConflict(_("您已于 %(at)s 作出相同的批示，未重复保存。") % {
            "at": timezone.localtime(repeat.written_at).strftime("%H:%M")})
    instruction = Instruction(item=item, author=actor, text=text, written_at=now)
    save_with_history(instruction, actor, "instruct")
    for task in cleaned:
        row = InstructionTask(instruction=instruction, item=item, owner=task["owner"], what=task["what"],
                              due_at=task["due_at"], unit_id=_owner_unit(task["owner"]), created_at=now)
        save_with_history(row, actor, "instruct")
    if cleaned:
        sync_item_grants(item)
    notices.instruction_written(instruction, actor=actor)
    return instruction


def _lock_task(task) -> tuple[Item, InstructionTask]:
    """The item first, then the task (every service on an item queues at
    the item, infoflow.services.lock_item): of two completions of one task at
    once the second waits and then finds it closed."""
    item = lock_item(Item(pk=task.item_id))
    task = (InstructionTask.objects.select_for_update(of=("self",))
            .select_related("instruction", "owner", "unit").get(pk=task.pk))
    return item, task


def _require_open(task):
    if task.state != InstructionTask.State.OPEN:
        raise StateConflict(_("该任务已%(state)s，请刷新后查看最新状态。") % {"state": task.get_state_display()})


@transaction.atomic
def finish_task(*, task: InstructionTask, actor, result: str) -> InstructionTask:
    """The owner reports the task done with its result; the item then
    completes if nothing else holds it open. Raises StateConflict (done or
    cancelled already), NotAllowed (not the owner), InvalidInput (no result).
    Tells the instruction's author and the item's initiator."""
    item, task = _lock_task(task)
    _require_open(task)
    if not can_finish_task(actor, task):
        raise NotAllowed(_("只有任务责任人 %(name)s 可以办结该任务。") % {"name": notices.name_of(task.owner)})
    result = (result or "").strip()
    if not result:
        raise InvalidInput(_("请填写办理结果。"))
    task.state, task.result, task.done_at, task.done_by = InstructionTask.State.DONE, result, timezone.now(), actor
    task.notice_at = None
    save_with_history(task, actor, "done")
    notices.task_closed(task, actor=actor)
    complete_if_done(item=item, actor=actor)
    return task


@transaction.atomic
def cancel_task(*, task: InstructionTask, actor, reason: str) -> InstructionTask:
    """The instruction's author (or the secretariat) cancels an open task
    with a reason; the item then completes if nothing else holds it open.
    Raises StateConflict, NotAllowed, InvalidInput (no reason)."""
    item, task = _lock_task(task)
    _require_open(task)
    if not can_cancel_task(actor, task):
        raise NotAllowed(_("只有作出批示的领导或秘书处可以取消任务。"))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写取消原因。"))
    task.state, task.cancel_reason, task.done_at, task.done_by = (
        InstructionTask.State.CANCELLED, reason, timezone.now(), actor)
    save_with_history(task, actor, "cancel")
    notices.task_closed(task, actor=actor)
    complete_if_done(item=item, actor=actor)
    return task


CHASE_INTERVAL = dt.timedelta(hours=1)


@transaction.atomic
def chase_task(*, task: InstructionTask, actor) -> TaskChase:
    """催办 an open task: its owner is told again. At most once an hour per
    task, so a double click sends one notice. Raises StateConflict (closed,
    chased within the hour), NotAllowed (not the author, a handler or the
    secretariat)."""
    item, task = _lock_task(task)
    _require_open(task)
    if not can_chase_task(actor, task):
        raise NotAllowed(_("只有作出批示的领导、信息的发起人和发起部门联络员、秘书处可以催办。"))
    now = timezone.now()
    last = task.chases.order_by("-sent_at").first()
    if last is not None and now - last.sent_at < CHASE_INTERVAL:
        raise StateConflict(_("该任务已于 %(at)s 催办过，请一小时后再催办。") % {
            "at": timezone.localtime(last.sent_at).strftime("%H:%M")})
    chase = TaskChase.objects.create(task=task, sent_by=actor, sent_at=now)
    notices.task_chased(task, chase, actor=actor)
    return chase
