"""The closed loop's small operations (issue 19 §8; seeds 001 and 004).

Each function takes the acting user as ``actor`` and an item (or a row of it)
that came through ``items_visible_to(actor)``; it runs in one transaction,
locks the item first (``lock_item``: two people acting at once queue there),
checks the item's state and the actor's right, writes with history, adds a
line to the item's timeline (``LoopEvent``) and writes its notices in the same
transaction. Errors: ``InvalidInput`` (bad input, said plainly),
``StateConflict`` (the item or the row moved on), ``NotAllowed`` (sees the
item, may not do this; views answer 403).

* ``follow_tasks``: an answer's next steps as tracked tasks (seed 001 §3 五.9
  所有的意见建议的处理都要形成闭环; seed 004 (四) 发起人跟进);
* ``escalate_item``: 呈报 by hand (seed 001 §3 三(三)2, 五.2–3: 难以解决的要及时向
  上级呈报，不可搁置);
* ``require_study`` / ``confirm_study``: 学习/落实 per unit (seed 001 §2 四.2);
* checklist: ``checklist_for`` and ``record_ticks`` (seed 004 (二) 审核重点:
  准确性、完整性、合规性及必要性), called by ``chain.approve_step``;
* ``record_seal_use``: 用印 on an external letter (seed 004 四 外部函件需加盖企业公章;
  (三) 书面盖章函件).

The relay of a notice inside a unit (转发, 不得隔日) is followup's
(``followup.services.circulation.relay_to_staff``); the paper original's
location is the archive's (``archive.services.paper``).
"""
from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.errors import InvalidInput, NotAllowed, StateConflict
from liaison.workdays import add_working_days, end_of_working_day, is_workday
from officers.models import OrgUnit
from officers.roles import roles_of

from .. import compiled, notices
from ..ladder import Ladder
from ..loop_models import (
    ChecklistEntry, ChecklistTick, Escalation, FollowTask, LoopEvent, Outcome, Seal, SealUse, StudyConfirmation,
)
from ..models import Direction, Item, Kind, Receiver, ReviewStep, StepAssignee, Transmission
from ..people import people_with_role, unit_user_ids, with_deputies
from ..permissions import can_receive, is_handler, sync_item_grants
from . import lock_item, save_with_history

# States in which the loop's follow-up may still act on an item.
FOLLOWABLE = (Item.State.TRANSMITTED, Item.State.COMPLETED, Item.State.ARCHIVED)
ESCALATABLE = (Item.State.IN_REVIEW, Item.State.APPROVED, Item.State.TRANSMITTED)
STUDY_DAYS = 3  # default: a unit confirms study within three working days
MAX_TEXT = 2000


def event(item, kind, actor, detail="", at=None) -> LoopEvent:
    """A timeline line for ``item`` (LoopEvent.Kind ``kind``)."""
    return LoopEvent.objects.create(item=item, kind=kind, actor=actor, detail=detail[:MAX_TEXT],
                                    at=at or timezone.now())


def _text(value, message) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(message)
    if len(value) > MAX_TEXT:
        raise InvalidInput(_("内容最多 %(n)s 个字。") % {"n": MAX_TEXT})
    return value


def _id(value) -> int | None:
    """A row's id from a model instance or form text ("" or junk: None)."""
    value = getattr(value, "pk", value)
    return int(value) if value is not None and str(value).isdigit() else None


def _name(user) -> str:
    return user.get_full_name() or user.username


def due_on_workday(day: dt.date, now: dt.datetime) -> dt.datetime:
    """The end of working day ``day``; InvalidInput for an off day or a day past."""
    if not isinstance(day, dt.date):
        raise InvalidInput(_("请选择完成期限。"))
    if not is_workday(day):
        raise InvalidInput(_("%(day)s 不是工作日，请选择工作日。") % {"day": day.isoformat()})
    due = end_of_working_day(dt.datetime.combine(day, dt.time(0, 0), tzinfo=timezone.get_current_timezone()))
    if due <= now:
        raise InvalidInput(_("期限须晚于当前时间。"))
    return due


# --- outcome codes ---------------------------------------------------------------------------


def clean_outcome(outcome: str, reason: str) -> tuple[str, str]:
    """(code, reason) of an answer's outcome: "" (not stated) or an
    ``Outcome`` code; 不予采纳 needs its reason. Raises InvalidInput."""
    outcome = (outcome or "").strip()
    reason = (reason or "").strip()
    if outcome and outcome not in Outcome.values:
        raise InvalidInput(_("请选择有效的办理结果。"))
    if outcome == Outcome.REJECTED and not reason:
        raise InvalidInput(_("选择“不予采纳”时须填写理由。"))
    if outcome != Outcome.REJECTED:
        reason = ""
    return outcome, reason


# --- follow tasks (落实任务) -------------------------------------------------------------------


def may_add_follow_task(user, receiver) -> bool:
    """Who turns an answer's next steps into tasks: whoever answers for the
    receiver, and the item's handlers (who follow up, seed 004 (四))."""
    return receiver.state == Receiver.State.ANSWERED and (
        can_receive(user, receiver) or is_handler(user, receiver.item))


def may_finish_follow_task(user, task) -> bool:
    return task.state == FollowTask.State.OPEN and user.is_authenticated and user.is_active and (
        task.owner_id == user.pk or task.created_by_id == user.pk or is_handler(user, task.item))


def task_owner_choices(item, receivers):
    """The people who may own a follow task given on ``receivers`` (answered
    rows of ``item``): the members (profile unit, officer posts, head) of the
    receiving units and of the item's own unit, and a person receiving it
    themselves; active only. A queryset of users (the form's choices, and
    the service's check: an owner gets sight of the item, so an id typed
    into the POST must not reach anyone else)."""
    unit_ids = {r.unit_id for r in receivers if r.kind == Receiver.Kind.UNIT and r.unit_id} | {item.unit_id}
    user_ids = {r.user_id for r in receivers if r.kind == Receiver.Kind.USER and r.user_id}
    return get_user_model().objects.filter(
        Q(profile__unit_id__in=unit_ids) | Q(officer_posts__unit_id__in=unit_ids) | Q(headed_units__in=unit_ids)
        | Q(pk__in=user_ids), is_active=True).distinct()


@transaction.atomic
def add_follow_task(*, receiver: Receiver, actor, owner, what: str, due_date: dt.date) -> FollowTask:
    """Make one of an answer's next steps a tracked task: ``owner`` (an active
    user) carries out ``what`` by the end of working day ``due_date``.
    The owner gets sight of the item; the task shows on it until done, and
    the sweep reminds the owner a working day before and tells owner and
    giver when it is late. Raises InvalidInput (no text, off day, past,
    inactive owner or one outside the receiving and the item's units:
    ``task_owner_choices``), StateConflict (not answered, item not followable),
    NotAllowed."""
    what = _text(what, _("请填写落实事项。"))
    item = lock_item(receiver.item)
    receiver = Receiver.objects.select_for_update().get(pk=receiver.pk)
    receiver.item = item
    if item.state not in FOLLOWABLE or receiver.state != Receiver.State.ANSWERED:
        raise StateConflict(_("只有已反馈的接收方才能登记落实任务。"))
    if not may_add_follow_task(actor, receiver):
        raise NotAllowed(_("只有反馈方或发起部门的联络员可以登记落实任务。"))
    owner_id = _id(owner)
    owner = task_owner_choices(item, [receiver]).filter(pk=owner_id).first() if owner_id else None
    if owner is None:
        raise InvalidInput(_("请选择接收部门或发起部门的在职人员作为责任人。"))
    now = timezone.now()
    due = due_on_workday(due_date, now)
    task = save_with_history(FollowTask(item=item, receiver=receiver, owner=owner, what=what, due_at=due,
                                        created_by=actor, created_at=now), actor, "follow_task")
    sync_item_grants(item)
    event(item, LoopEvent.Kind.TASK, actor, _("%(owner)s：%(what)s（期限 %(due)s）") % {
        "owner": _name(owner), "what": what, "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")}, at=now)
    notices.follow_task_given(task, actor=actor)
    return task


@transaction.atomic
def finish_follow_task(*, task: FollowTask, actor, result: str) -> FollowTask:
    """Record a task done with what was done (required): its owner, who gave
    it or the item's handlers. Raises InvalidInput, StateConflict (done
    already — a second click, or two at once), NotAllowed."""
    result = _text(result, _("请填写落实情况。"))
    item = lock_item(task.item)
    task = FollowTask.objects.select_for_update().get(pk=task.pk)
    task.item = item
    if task.state != FollowTask.State.OPEN:
        raise StateConflict(_("该落实任务已%(state)s。") % {"state": task.get_state_display()})
    if not may_finish_follow_task(actor, task):
        raise NotAllowed(_("只有责任人、登记人或发起部门联络员可以办结落实任务。"))
    now = timezone.now()
    task.state = FollowTask.State.DONE
    task.result = result
    task.done_at = now
    task.done_by = actor
    save_with_history(task, actor, "follow_task_done")
    event(item, LoopEvent.Kind.TASK, actor, _("已落实：%(what)s —— %(result)s") % {
        "what": task.what[:100], "result": result}, at=now)
    notices.follow_task_done(task, actor=actor)
    return task


# --- 呈报 ---------------------------------------------------------------------------------


def _personal_superiors(user) -> list:
    """The ladder for a person: staff and officers → their unit's head; a
    head → the supervising leaders of the units they head; a supervising
    leader → the general manager; the general manager has none."""
    roles = roles_of(user)
    if roles.is_general_manager:
        return []
    if roles.is_leader:
        return people_with_role("general_manager")
    if roles.is_head:
        ids = OrgUnit.objects.filter(pk__in=roles.headed_unit_ids).values_list("supervising_leader_id", flat=True)
        return with_deputies(ids)
    units = set(roles.officer_unit_ids) | ({roles.unit_id} if roles.unit_id else set())
    ids = OrgUnit.objects.filter(pk__in=units, is_active=True).order_by("pk").values_list("head_id", flat=True)
    return with_deputies(ids)


def escalation_path(user, item, steps=None, receivers=None) -> tuple[str, list] | None:
    """("reviewer" | "receiver", superiors) when ``user`` may send ``item``
    up (呈报), else None. A reviewer of the open step goes up the
    escalation ladder the secretariat keeps (EscalationRung); a receiver up
    their own line (staff → head → supervising leader → general manager).

    ``steps`` (with their assignees prefetched) and ``receivers``, when the
    caller has read all of the item's (the item page), spare reading them
    again: the step's assignee is then looked up only when the user is one."""
    if not (user.is_authenticated and user.is_active) or item.state not in ESCALATABLE:
        return None
    pending = True
    if steps is not None:
        pending = any(a.user_id == user.pk and a.decision == StepAssignee.Decision.PENDING
                      for step in steps if step.state == ReviewStep.State.OPEN for a in step.assignees.all())
    mine = (StepAssignee.objects.filter(step__item=item, step__state=ReviewStep.State.OPEN, user_id=user.pk,
                                        decision=StepAssignee.Decision.PENDING)
            .select_related("step__item__unit").first()) if pending else None
    if mine is not None:
        return "reviewer", [u for u in Ladder().superiors(mine.step, mine) if u.pk != user.pk]
    if item.state == Item.State.TRANSMITTED:
        if receivers is None:
            receivers = item.receivers.all()
        for receiver in receivers:
            if receiver.kind not in (Receiver.Kind.UNIT, Receiver.Kind.USER):
                continue
            if receiver.state == Receiver.State.WAITING:
                continue
            if can_receive(user, receiver):
                return "receiver", [u for u in _personal_superiors(user) if u.pk != user.pk]
    return None


@transaction.atomic
def escalate_item(*, item: Item, actor, note: str) -> Escalation:
    """呈报: send ``item`` up to the actor's superiors with a note (required),
    without waiting for a deadline. The superiors get sight of the item and
    a notice; the timeline records it. Raises InvalidInput (no note, nobody
    above the actor), StateConflict (item not under way), NotAllowed (not a
    reviewer of the open step nor a receiver)."""
    note = _text(note, _("请填写呈报说明。"))
    item = lock_item(item)
    if item.state not in ESCALATABLE:
        raise StateConflict(_("信息当前状态为“%(state)s”，不能呈报。") % {"state": item.get_state_display()})
    path = escalation_path(actor, item)
    if path is None:
        raise NotAllowed(_("只有当前环节的审核人或接收方可以呈报。"))
    _kind, superiors = path
    if not superiors:
        raise InvalidInput(_("没有找到您的上级，无法呈报，请联系秘书处。"))
    now = timezone.now()
    escalation = save_with_history(Escalation(item=item, sent_by=actor, sent_at=now, note=note), actor, "escalate")
    escalation.superiors.set(superiors)
    sync_item_grants(item)
    event(item, LoopEvent.Kind.ESCALATION, actor, _("呈报给 %(who)s：%(note)s") % {
        "who": "、".join(_name(u) for u in superiors), "note": note}, at=now)
    notices.escalated(escalation, superiors, actor=actor)
    return escalation


# --- 学习/落实 ----------------------------------------------------------------------------------


def may_require_study(user, item) -> bool:
    return (item.state in (Item.State.TRANSMITTED, Item.State.COMPLETED)
            and (is_handler(user, item) or roles_of(user).is_secretariat))


def may_confirm_study(user, confirmation) -> bool:
    return (confirmation.state == StudyConfirmation.State.OPEN and user.is_authenticated and user.is_active
            and user.pk in unit_user_ids(confirmation.unit, ("head", "officers")))


@transaction.atomic
def require_study(*, item: Item, actor, due_date: dt.date | None = None) -> list[StudyConfirmation]:
    """Ask each receiving unit of a sent item to confirm it studied the item
    and carries it out (学习/落实), by the end of working day ``due_date``
    (default: three working days on). One confirmation per unit; units
    already asked are left as they are. Raises StateConflict (not sent,
    every unit already asked), NotAllowed (not a handler or the
    secretariat), InvalidInput (off day, past, no receiving unit)."""
    item = lock_item(item)
    if item.state not in (Item.State.TRANSMITTED, Item.State.COMPLETED):
        raise StateConflict(_("信息传递后才能要求学习落实确认。"))
    if not may_require_study(actor, item):
        raise NotAllowed(_("只有发起部门联络员和秘书处可以要求学习落实确认。"))
    now = timezone.now()
    due = (due_on_workday(due_date, now) if due_date else end_of_working_day(add_working_days(now, STUDY_DAYS)))
    unit_ids = list(item.receivers.filter(kind=Receiver.Kind.UNIT).exclude(state=Receiver.State.WAITING)
                    .order_by("pk").values_list("unit_id", flat=True))
    if not unit_ids:
        raise InvalidInput(_("该信息没有接收部门，无需学习落实确认。"))
    asked = set(StudyConfirmation.objects.filter(item=item).values_list("unit_id", flat=True))
    new = [u for u in dict.fromkeys(unit_ids) if u not in asked]
    if not new:
        raise StateConflict(_("已要求各接收部门确认学习落实，无需重复要求。"))
    made = []
    for unit_id in new:
        confirmation = StudyConfirmation(item=item, unit_id=unit_id, due_at=due, required_by=actor, required_at=now)
        made.append(save_with_history(confirmation, actor, "require_study"))
    event(item, LoopEvent.Kind.STUDY, actor, _("要求各接收部门于 %(due)s 前确认学习落实") % {
        "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")}, at=now)
    for confirmation in made:
        notices.study_required(confirmation, actor=actor)
    return made


@transaction.atomic
def confirm_study(*, confirmation: StudyConfirmation, actor, note: str) -> StudyConfirmation:
    """A unit's head or officer confirms study and implementation with a
    note (required: what was studied, how it is carried out). Raises
    InvalidInput, StateConflict (confirmed already — twice at once too),
    NotAllowed."""
    note = _text(note, _("请填写学习落实情况。"))
    item = lock_item(confirmation.item)
    confirmation = StudyConfirmation.objects.select_for_update().select_related("unit").get(pk=confirmation.pk)
    confirmation.item = item
    if confirmation.state != StudyConfirmation.State.OPEN:
        raise StateConflict(_("%(unit)s 已确认学习落实。") % {"unit": confirmation.unit.name})
    if not may_confirm_study(actor, confirmation):
        raise NotAllowed(_("只有该部门的负责人和联络员可以确认学习落实。"))
    now = timezone.now()
    confirmation.state = StudyConfirmation.State.CONFIRMED
    confirmation.note = note
    confirmation.confirmed_by = actor
    confirmation.confirmed_at = now
    save_with_history(confirmation, actor, "confirm_study")
    late = _("（逾期）") if now > confirmation.due_at else ""
    event(item, LoopEvent.Kind.STUDY, actor, _("%(unit)s 确认学习落实%(late)s：%(note)s") % {
        "unit": confirmation.unit.name, "late": late, "note": note}, at=now)
    return confirmation


# --- the review checklist -------------------------------------------------------------------


def checklist_for(step) -> list[ChecklistEntry]:
    """The active checklist entries for ``step``: entries for all items,
    for external items (外部信息, also incoming letters answered outward) and
    for publication, limited to the step's stage name when they name one."""
    item = step.item
    scopes = [ChecklistEntry.Scope.ALL]
    if item.direction == Direction.EXTERNAL:
        scopes.append(ChecklistEntry.Scope.EXTERNAL)
    if item.kind == Kind.PUBLICATION:
        scopes.append(ChecklistEntry.Scope.PUBLICATION)
    return [e for e in ChecklistEntry.objects.filter(is_active=True, scope__in=scopes).order_by("sort_order", "pk")
            if not e.stage_name or e.stage_name == step.name]


def checklist_for_steps(steps) -> list[ChecklistEntry]:
    """The active checklist entries that apply to any of ``steps`` (their
    ``item`` loaded), in one query: the points a batch approval (批量同意,
    seed 004 (二) 审核重点) shows once for all the steps it approves. Each
    step's approval keeps only its own points (``record_ticks``)."""
    steps = list(steps)
    if not steps:
        return []
    scopes = {ChecklistEntry.Scope.ALL}
    names = set()
    for step in steps:
        names.add(step.name)
        if step.item.direction == Direction.EXTERNAL:
            scopes.add(ChecklistEntry.Scope.EXTERNAL)
        if step.item.kind == Kind.PUBLICATION:
            scopes.add(ChecklistEntry.Scope.PUBLICATION)
    # Every active entry in order, through SQL compiled once (a short list;
    # the review inbox reads it on every request, issue 12), kept by scope here.
    return [e for e in compiled.rows(_active_checklist)
            if e.scope in scopes and (not e.stage_name or e.stage_name in names)]


def _active_checklist():
    return ChecklistEntry.objects.filter(is_active=True).order_by("sort_order", "pk")


def record_ticks(*, assignee: StepAssignee, step, actor, checked) -> list[ChecklistTick]:
    """Keep the checklist as ticked with an approval (inside approve_step's
    transaction). ``checked``: ids of the ticked entries (None: no list was
    shown, e.g. batch approval). Raises InvalidInput naming the required
    points not ticked."""
    entries = checklist_for(step)
    if not entries:
        return []
    ticked = {int(c) for c in (checked or ()) if str(c).isdigit()}
    missing = [e for e in entries if e.required and e.pk not in ticked]
    if missing:
        raise InvalidInput(_("请先逐项核对并勾选审核要点：%(points)s。未勾选的必须项不能审核通过。") % {
            "points": "、".join(str(e) for e in missing)})
    return [save_with_history(ChecklistTick(assignee=assignee, entry=e, text=e.text, ticked=e.pk in ticked),
                              actor, "approve") for e in entries]


# --- 用印 -----------------------------------------------------------------------------------


def may_record_seal_use(user, item) -> bool:
    return (item.direction == Direction.EXTERNAL and item.state in FOLLOWABLE
            and (is_handler(user, item) or roles_of(user).is_secretariat))


def sealable(transmission: Transmission) -> bool:
    """A letter (书面函件) is sealed; other methods carry no seal."""
    return "letter" in transmission.methods.split(",")


def seal_approver_choices():
    """Who may approve the use of a seal: active heads of units, supervising
    leaders, the general manager and the secretariat's lead. A queryset of
    users (the form's choices and the service's check)."""
    return get_user_model().objects.filter(
        Q(headed_units__isnull=False) | Q(supervised_units__isnull=False)
        | Q(roles__role__in=("general_manager", "secretariat_lead")), is_active=True).distinct()


@transaction.atomic
def record_seal_use(*, transmission: Transmission, actor, seal, approved_by, approved_at: dt.datetime,
                    copies: int = 1) -> SealUse:
    """Record 用印 on an external letter: which seal (an active ``Seal``),
    approved by whom and when (not in the future), how many copies; kept
    with the transmission. Raises InvalidInput (not a letter, inactive
    seal, approval time in the future or before submission, bad copies,
    the same seal recorded already), StateConflict, NotAllowed."""
    item = lock_item(transmission.item)
    transmission = Transmission.objects.select_for_update().get(pk=transmission.pk)
    if item.direction != Direction.EXTERNAL or item.state not in FOLLOWABLE:
        raise StateConflict(_("只有已传递的对外信息可以登记用印。"))
    if not may_record_seal_use(actor, item):
        raise NotAllowed(_("只有发起部门联络员和秘书处可以登记用印。"))
    if not sealable(transmission):
        raise InvalidInput(_("只有书面函件需要登记用印。"))
    seal_id = _id(seal)
    seal = Seal.objects.filter(pk=seal_id, is_active=True).first() if seal_id else None
    if seal is None:
        raise InvalidInput(_("请选择启用中的印章。"))
    approver_id = _id(approved_by)
    approver = seal_approver_choices().filter(pk=approver_id).first() if approver_id else None
    if approver is None:
        raise InvalidInput(_("请选择用印审批人。"))
    now = timezone.now()
    if approved_at is None or approved_at > now:
        raise InvalidInput(_("用印审批时间不能晚于当前时间。"))
    if item.submitted_at and approved_at < item.submitted_at:
        raise InvalidInput(_("用印审批时间不能早于信息发起时间。"))
    try:
        copies = int(copies)
    except (TypeError, ValueError):
        copies = 0
    if not 1 <= copies <= 999:
        raise InvalidInput(_("份数须在 1 到 999 之间。"))
    if SealUse.objects.filter(transmission=transmission, seal=seal).exists():
        raise InvalidInput(_("该函件已登记过“%(seal)s”的用印。") % {"seal": seal})
    use = save_with_history(SealUse(item=item, transmission=transmission, seal=seal, approved_by=approver,
                                    approved_at=approved_at, copies=copies, recorded_by=actor, recorded_at=now),
                            actor, "seal_use")
    event(item, LoopEvent.Kind.SEAL, actor, _("%(seal)s × %(copies)s，审批人 %(who)s（%(at)s）") % {
        "seal": seal, "copies": copies, "who": _name(approver),
        "at": timezone.localtime(approved_at).strftime("%Y-%m-%d %H:%M")}, at=now)
    return use


__all__ = [
    "add_follow_task", "task_owner_choices", "finish_follow_task", "escalate_item", "escalation_path", "require_study", "confirm_study",
    "checklist_for", "checklist_for_steps", "record_ticks", "record_seal_use", "seal_approver_choices", "clean_outcome",
]
