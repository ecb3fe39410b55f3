"""加签 / 减签: a reviewer adds a signer to the running review, or removes one
who has not acted yet.

Where the added signer goes (``position``):

* ``before`` (前加签): a stage of its own is put in front of the current one.
  The current step stands aside as WAITING — it keeps its people and any
  decisions already made — and opens again (a new due time from the limit it
  stored when it first opened) once the added signer approved
  (``chain.open_stage`` reopens a waiting step).
* ``after`` (后加签): a stage of its own right after the current one; it opens
  when the current step is approved, like any stage.
* ``parallel`` (并行加签): one more assignee of the current step (会签 only:
  the step then waits for their approval as well).

The added stages are written into this item's own route
(``Item.route_snapshot``, decider ``named`` with the people's ids), never into
the route rule, so other items are unchanged. Permissions follow the steps:
the signer sees the item from the moment their stage opens (parallel: at
once) through ``sync_item_grants``, and loses it when removed. Each change is
a ``StepChange`` row (who, whom, why) that the item's timeline shows, and
the signer is told through ``infoflow.notices``. Deadlines and escalation of
added steps are those of any step (``open_stage`` stores the limit).
"""
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.errors import InvalidInput, StepClosed

from .. import notices
from ..models import NAMED_DECIDER, DeciderKind, DecisionMode, Item, ReviewStep, StepAssignee, StepChange
from ..permissions import can_decide, sync_item_grants
from ..separation import AUTHOR, authors_of, bar_reason, display_name
from . import lock_item, not_allowed, require_move, save_with_history
from .chain import STEP_CLOSED, _check_step_current, _close_step, _lock_assignees, _lock_step, _my_pending, open_stage

BEFORE, AFTER, PARALLEL = "before", "after", "parallel"
POSITIONS = {BEFORE: StepChange.Kind.ADD_BEFORE, AFTER: StepChange.Kind.ADD_AFTER,
             PARALLEL: StepChange.Kind.ADD_PARALLEL}


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写理由。"))
    return reason


def check_person(item, person, *, actor) -> None:
    """Refuse a person who may not take a step of this item: inactive, the
    actor, or an author of the item (回避, infoflow.separation)."""
    if person is None or not person.is_active:
        raise InvalidInput(_("请选择一位在职的人员。"))
    if person.pk == actor.pk:
        raise InvalidInput(_("不能选择自己。"))
    if bar_reason(person.pk, authors_of(item), set()) == AUTHOR:
        raise InvalidInput(
            _("%(name)s 是本信息的发起人或起草人，按回避规则不能审核本信息。") % {"name": display_name(person)})


def added_stage(change: StepChange, person) -> dict:
    """The route stage (``route_snapshot`` entry) of a signer added before or after."""
    return {
        "name": _("加签"),  # the route line and the step list show the signer's name beside it
        "decider": NAMED_DECIDER, "users": [person.pk], "mode": DecisionMode.ALL, "may_edit": False,
        "change": change.pk,
    }


@transaction.atomic
def add_signer(*, step: ReviewStep, actor, person, position: str, reason: str) -> StepChange:
    """Add ``person`` as a signer ``before``/``after`` the current step or in
    ``parallel`` with it, by a pending decider of that step (or their deputy).
    Returns the StepChange. Raises StepClosed (the step moved on),
    NotAllowed (not a decider of the step), InvalidInput (no reason, bad
    position, the person is the actor, inactive, an author of the item, or
    already on the step; parallel on a 或签 or pool step)."""
    reason = _require_reason(reason)
    if position not in POSITIONS:
        raise InvalidInput(_("请选择加签方式。"))
    item = lock_item(step.item)
    step = _lock_step(step)
    _check_step_current(item, step)
    assignees = _lock_assignees(step)
    _my_pending(step, assignees, actor)
    person = get_user_model().objects.get(pk=person.pk)
    check_person(item, person, actor=actor)
    if any(a.user_id == person.pk and a.decision == StepAssignee.Decision.PENDING for a in assignees):
        raise InvalidInput(_("%(name)s 已是本环节的审核人。") % {"name": display_name(person)})
    now = timezone.now()
    change = StepChange(item=item, step=step, kind=POSITIONS[position], actor=actor, person=person,
                        reason=reason, at=now)

    if position == PARALLEL:
        if step.mode == DecisionMode.ANY or step.decider == DeciderKind.SECRETARIAT_POOL:
            raise InvalidInput(_("或签和先领先办环节任一人审核即通过，不能并行加签；请选择前加签或后加签。"))
        if any(a.user_id == person.pk for a in assignees):
            raise InvalidInput(_("%(name)s 已是本环节的审核人。") % {"name": display_name(person)})
        change.stage_name = step.name
        save_with_history(change, actor, "add_signer")
        save_with_history(StepAssignee(step=step, user=person), actor, "add_signer")
    else:
        save_with_history(change, actor, "add_signer")
        stage = added_stage(change, person)
        change.stage_name = stage["name"]
        save_with_history(change, actor, "add_signer")
        snapshot = list(item.route_snapshot)
        if position == AFTER:
            snapshot.insert(step.stage_index + 1, stage)
            item.route_snapshot = snapshot
            _shift_rows(item, step.stage_index + 1, actor)
        else:
            index = step.stage_index
            snapshot.insert(index, stage)
            item.route_snapshot = snapshot
            _shift_rows(item, index + 1, actor, but=step)
            # The current step waits one place further down, with its people and decisions.
            step.stage_index = index + 1
            step.state = ReviewStep.State.WAITING
            step.notice_at = None
            save_with_history(step, actor, "add_signer")
            open_stage(item=item, index=index, actor=actor, now=now)
        save_with_history(item, actor, "add_signer")
    sync_item_grants(item)
    if position != AFTER:
        # Told now, when they see the item; a signer after hears when their stage opens (step_opened).
        notices.signer_added(change, actor=actor)
    return change


def _shift_rows(item, from_index, actor, but=None):
    """Move this round's steps at ``from_index`` and after one place down
    (a stage was put in front of them), the last first (unique index)."""
    rows = ReviewStep.objects.select_for_update().filter(
        item=item, review_round=item.review_round, stage_index__gte=from_index)
    if but is not None:
        rows = rows.exclude(pk=but.pk)
    for row in rows.order_by("-stage_index"):
        row.stage_index += 1
        save_with_history(row, actor, "add_signer")


def _finish_or_open(item, index, actor, now):
    """After a step ended early (its last pending signer removed): open the
    stage at ``index`` or, past the end, end the review as approve_step does."""
    if index < len(item.route_snapshot):
        open_stage(item=item, index=index, actor=actor, now=now)
        return
    item.current_stage = None
    item.approved_at = now
    if not item.send_first:
        require_move(item, Item.State.APPROVED)
        item.state = Item.State.APPROVED
    notices.review_done(item, actor=actor)


def may_remove(user, change: StepChange, item) -> bool:
    """Who removes an added signer: who added them, or a decider of the
    item's current step (or their deputy)."""
    if change.actor_id == user.pk:
        return True
    current = ReviewStep.objects.filter(
        item=item, review_round=item.review_round, stage_index=item.current_stage, state=ReviewStep.State.OPEN
    ).prefetch_related("assignees").first() if item.current_stage is not None else None
    return current is not None and can_decide(user, current)


@transaction.atomic
def remove_signer(*, change: StepChange, actor, reason: str) -> StepChange:
    """减签: remove a signer added by ``change`` who has not acted. A
    parallel signer leaves the step (which then closes if everyone else has
    approved); an added stage leaves this item's route — if it was open, the
    step is deleted (its history stays) and the review goes on with the
    stage behind it. Returns the removal's StepChange. Raises InvalidInput
    (no reason), StepClosed (already removed, already acted, the review
    moved on), NotAllowed."""
    reason = _require_reason(reason)
    item = lock_item(change.item)
    change = StepChange.objects.select_for_update().get(pk=change.pk)
    if change.kind not in StepChange.ADDING or StepChange.objects.filter(undoes=change).exists():
        raise StepClosed(_("该加签已撤销。"))
    running = (Item.State.IN_REVIEW, Item.State.APPROVED, Item.State.TRANSMITTED)  # send-first routes review sent items
    if item.state not in running or item.current_stage is None:
        raise StepClosed(_(STEP_CLOSED))
    if not may_remove(actor, change, item):
        raise not_allowed()
    now = timezone.now()
    removal = StepChange(item=item, step=change.step, kind=StepChange.Kind.REMOVE, actor=actor,
                         person=change.person, stage_name=change.stage_name, reason=reason, at=now, undoes=change)

    reached = change.kind != StepChange.Kind.ADD_AFTER
    if change.kind == StepChange.Kind.ADD_PARALLEL:
        step = _lock_step(change.step)
        assignees = _lock_assignees(step)
        mine = next((a for a in assignees if a.user_id == change.person_id), None)
        if step.state != ReviewStep.State.OPEN or mine is None or mine.decision != StepAssignee.Decision.PENDING:
            raise StepClosed(_("%(name)s 已审核或该环节已结束，不能减签。") % {"name": display_name(change.person)})
        mine._history_user, mine._change_reason = actor, "remove_signer"
        mine.delete()
        save_with_history(removal, actor, "remove_signer")
        rest = [a for a in assignees if a.pk != mine.pk]
        if rest and all(a.decision != StepAssignee.Decision.PENDING for a in rest):
            if all(a.decision in (StepAssignee.Decision.APPROVED, StepAssignee.Decision.NOT_NEEDED,
                                  StepAssignee.Decision.TRANSFERRED) for a in rest):
                _close_step(step, ReviewStep.State.APPROVED, actor, "approve", now, rest, item)
                _finish_or_open(item, step.stage_index + 1, actor, now)
                save_with_history(item, actor, "remove_signer")
    else:
        snapshot = list(item.route_snapshot)
        index = next((i for i, s in enumerate(snapshot) if s.get("change") == change.pk), None)
        if index is None:
            raise StepClosed(_("该加签已撤销。"))
        row = (
            ReviewStep.objects.select_for_update()
            .filter(item=item, review_round=item.review_round, stage_index=index).first()
        )
        if row is not None:
            reached = True
            assignees = _lock_assignees(row)
            if row.state != ReviewStep.State.OPEN or any(
                a.decision != StepAssignee.Decision.PENDING for a in assignees
            ):
                raise StepClosed(_("%(name)s 已审核或该环节已结束，不能减签。") % {"name": display_name(change.person)})
            if StepChange.objects.filter(step=row).exists():
                raise StepClosed(_("%(name)s 已在本环节加签或转办，不能减签。") % {"name": display_name(change.person)})
            for a in assignees:
                a._history_user, a._change_reason = actor, "remove_signer"
                a.delete()
            row._history_user, row._change_reason = actor, "remove_signer"
            row.delete()  # the added stage never happened; its history rows stay
        elif index <= item.current_stage:
            raise StepClosed(_(STEP_CLOSED))
        del snapshot[index]
        item.route_snapshot = snapshot
        # The steps behind it in this round move up one place (a step waiting behind a 前加签).
        for later in ReviewStep.objects.select_for_update().filter(
            item=item, review_round=item.review_round, stage_index__gt=index
        ).order_by("stage_index"):
            later.stage_index -= 1
            save_with_history(later, actor, "remove_signer")
        save_with_history(removal, actor, "remove_signer")
        if row is not None:
            _finish_or_open(item, index, actor, now)
        save_with_history(item, actor, "remove_signer")
    sync_item_grants(item)
    if reached:  # only someone who was asked to review is told; an unopened stage's signer never was
        notices.signer_removed(removal, actor=actor)
    return removal


def removable_changes(item, user) -> list[StepChange]:
    """The additions ``user`` may undo on ``item`` now (the 减签 choices):
    not undone, and the signer has not acted."""
    if item.current_stage is None:
        return []
    out = []
    changes = (
        StepChange.objects.filter(item=item, kind__in=StepChange.ADDING, undone_by__isnull=True)
        .select_related("person", "actor", "step").order_by("at", "pk")
    )
    stage_of = {s.get("change"): i for i, s in enumerate(item.route_snapshot) if s.get("change")}
    for change in changes:
        if not may_remove(user, change, item):
            continue
        if change.kind == StepChange.Kind.ADD_PARALLEL:
            pending = StepAssignee.objects.filter(
                step=change.step, user=change.person, decision=StepAssignee.Decision.PENDING,
                step__state=ReviewStep.State.OPEN).exists()
            if pending:
                out.append(change)
            continue
        index = stage_of.get(change.pk)
        if index is None:
            continue
        row = ReviewStep.objects.filter(item=item, review_round=item.review_round, stage_index=index).first()
        if row is None and index > item.current_stage:
            out.append(change)
        elif row is not None and row.state == ReviewStep.State.OPEN and not row.assignees.exclude(
                decision=StepAssignee.Decision.PENDING).exists():
            out.append(change)
    return out


__all__ = ["add_signer", "remove_signer", "removable_changes", "may_remove", "check_person", "BEFORE", "AFTER",
           "PARALLEL"]
