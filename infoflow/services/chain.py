"""The review chain (审核): submit, withdraw, take, approve, return, cancel.

State model. ``Item.state`` tracks the delivery side of the loop (draft → in
review → approved/ready to transmit → transmitted → completed). The review
steps are rows of their own, so an emergency item on a "send first" route
(先处理后报告) can be APPROVED or TRANSMITTED while its review round is still
open: ``submit_item`` puts it straight into APPROVED and opens the first
stage; the stages then run on the sent item and never change its state. A
return on such a route closes the round and asks the initiator to resubmit it
for review (``submit_item`` again opens a new round; the item stays sent).
``open_step(item)`` answers "is a review running?" for both kinds.

Review rounds. Each submission opens round ``review_round + 1``. After a
return, the new round starts at the first stage, or at the stage that
returned when the route says so (``Item.restart``). Earlier rounds' steps stay
as they were, so the whole history is visible.

Expected feedback time. An item that needs an answer must carry a concrete
expected feedback time (domain: never "as soon as possible"); submission
refuses without one rather than inventing it, since it is the initiator's
promise to the receivers. A notice (needs_answer False) has none.
"""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from liaison.errors import InvalidInput, NotAllowed, StateConflict, StepClosed

from ..models import DeciderKind, DecisionMode, Item, ReviewStep, RouteRule, StepAssignee
from ..permissions import acting_assignee, can_cancel, can_decide, can_submit, can_take, is_handler, sync_item_grants
from ..separation import bar_message, decision_bar, handover_cause
from .. import limits, notices
from . import lock_item, not_allowed, require_move, require_state, save_with_history
from . import ontime_days
from .delivery import transmit_on_submission, transmits_on_submission
from .loop import record_ticks
from .numbering import next_number
from .routing import choose_route, route_problems, stage_deciders, stages_of

# Marked for extraction here; translated where raised (``_(STEP_CLOSED)``).
STEP_CLOSED = gettext_noop("该环节已由他人处理，请刷新后查看最新状态。")


def review_due(item, moment):
    return limits.due(moment, *limits.limit_of("review", item.urgency))


def open_step(item):
    """The open review step of the item's current round, or None."""
    return (
        ReviewStep.objects.filter(item=item, review_round=item.review_round, state=ReviewStep.State.OPEN)
        .order_by("stage_index")
        .first()
    )


def review_running(item) -> bool:
    return ReviewStep.objects.filter(item=item, state=ReviewStep.State.OPEN).exists()


def _last_returned_step(item):
    return (
        ReviewStep.objects.filter(item=item, state=ReviewStep.State.RETURNED)
        .order_by("-review_round", "-stage_index")
        .first()
    )


def _validate_for_submission(item, now):
    if not item.subject.strip() or not item.summary.strip():
        raise InvalidInput(_("请填写信息主题和内容摘要。"))
    if not item.receivers.exists():
        raise InvalidInput(_("请至少选择一个接收部门、接收人或外部单位。"))
    if item.needs_answer:
        if item.expected_feedback_at is None:
            raise InvalidInput(_("请填写预计反馈时间（具体日期和时间）。"))
        if item.expected_feedback_at <= now:
            raise InvalidInput(_("预计反馈时间须晚于提交时间。"))


def open_stage(*, item, index, actor, now, submitting=False):
    """Create the step for stage ``index`` of the current round with one
    assignee per decider, due after the review limit. Raises InvalidInput when
    nobody can decide it (e.g. the unit has no head). A step waiting at
    ``index`` (it stood aside for a signer added before it, 前加签) opens
    again with its people and decisions."""
    waiting = (
        ReviewStep.objects.select_for_update()
        .filter(item=item, review_round=item.review_round, stage_index=index, state=ReviewStep.State.WAITING)
        .first()
    )
    if waiting is not None:
        return _reopen_waiting(item=item, step=waiting, actor=actor, now=now)
    stage = item.route_snapshot[index]
    # Separation of duties: an author of the item, or (external items) who
    # decided the stage before, stands aside and the stage passes on.
    users, handovers = stage_deciders(item, index, moment=now, submitter=actor if submitting else None)
    if not users:
        if handovers:
            raise InvalidInput(
                _("%(why)s，“%(stage)s”环节没有可接替的审核人，请联系秘书处。")
                % {"why": handover_cause(handovers[0]), "stage": stage["name"]}
            )
        raise InvalidInput(route_problems(item, item.route_snapshot, index)[0])
    step = ReviewStep(
        item=item,
        review_round=item.review_round,
        stage_index=index,
        name=stage["name"],
        decider=stage["decider"],
        mode=stage.get("mode") or DecisionMode.ALL,
        may_edit=stage.get("may_edit", False),
        state=ReviewStep.State.OPEN,
        started_at=now,
        handovers=handovers,
    )
    # The limit in force now stays with the step (a settings change moves new steps only).
    step.limit_amount, step.limit_unit = limits.limit_of("review", item.urgency)
    step.due_at = limits.due(now, step.limit_amount, step.limit_unit)
    save_with_history(step, actor, "open")
    for user in users:
        save_with_history(StepAssignee(step=step, user=user), actor, "open")
    item.current_stage = index
    notices.step_opened(step, actor=actor)
    return step


def _reopen_waiting(*, item, step, actor, now):
    """Open a waiting step again: a new start and a due time from the limit
    it stored when it first opened (services.signers)."""
    step.state = ReviewStep.State.OPEN
    step.started_at = now
    step.due_at = limits.due(now, step.limit_amount, step.limit_unit) if step.limit_amount else step.due_at
    step.notice_at = None  # the deadline sweep looks at it afresh
    save_with_history(step, actor, "open")
    item.current_stage = step.stage_index
    notices.step_opened(step, actor=actor)
    return step


@transaction.atomic
def submit_item(*, item, actor) -> Item:
    """Submit a draft, or resubmit a returned or withdrawn item.

    First submission: freezes the route, gives the number
    (``<prefix>-<year>-<seq>``, gapless) and the submission time. Opens the
    first stage (or, after a return, the stage the route's restart rule
    names); with no stages the item is ready to transmit; on a send-first
    route it is ready to transmit *and* the review opens. For a sent item on
    a send-first route whose review was returned, opens a new review round.
    Raises StateConflict, NotAllowed, InvalidInput (missing fields, no
    receivers, no expected feedback time, a stage nobody can decide).
    Writes the "please review" notice of the opened stage."""
    item = lock_item(item)
    now = timezone.now()
    review_again = (
        item.send_first
        and item.state in (Item.State.APPROVED, Item.State.TRANSMITTED, Item.State.COMPLETED)
        and not review_running(item)
        and _last_returned_step(item) is not None
        and _last_returned_step(item).review_round == item.review_round
    )
    if not review_again:
        require_state(item, Item.State.DRAFT, Item.State.RETURNED, Item.State.WITHDRAWN)
    if not (can_submit(actor, item) or (review_again and is_handler(actor, item))):
        raise not_allowed()
    _validate_for_submission(item, now)

    first = item.number is None
    if first:
        rule = choose_route(item)
        item.route_rule = rule
        item.route_name = rule.name if rule else str(_("无需审核"))
        item.route_snapshot = stages_of(rule)
        item.send_first = bool(rule and rule.send_first)
        item.restart = rule.restart if rule else RouteRule.Restart.FROM_START
    stages = item.route_snapshot

    start = 0
    if item.state == Item.State.RETURNED or review_again:
        returned = _last_returned_step(item)
        if returned is not None and item.restart == RouteRule.Restart.FROM_RETURNING_STAGE:
            start = returned.stage_index
    if stages:
        problems = route_problems(item, stages, start)
        if problems:
            raise InvalidInput(problems[0])

    if first:
        # Numbered last, right before the write: the counter row stays locked
        # for the shortest time, and any failure above burns no number.
        year = timezone.localtime(now).year
        item.number = next_number(item.unit.number_prefix, year)
        item.submitted_at = now

    if not stages:
        item.state = Item.State.APPROVED
        item.approved_at = now
        item.current_stage = None
    else:
        item.review_round += 1
        if item.send_first:
            if not review_again:
                item.state = Item.State.APPROVED
        else:
            item.state = Item.State.IN_REVIEW
        open_stage(item=item, index=start, actor=actor, now=now, submitting=True)
    save_with_history(item, actor, "resubmit" if not first else "submit")
    if not stages and transmits_on_submission(item):
        transmit_on_submission(item=item, actor=actor, now=now)  # syncs the grants
    else:
        sync_item_grants(item)
    return item


def _lock_step(step):
    return ReviewStep.objects.select_for_update().get(pk=step.pk)


def _check_step_current(item, step):
    """The step must be open and be the item's current stage of the current
    round; anything else means the item moved on (or another reviewer was
    faster)."""
    if (
        step.state != ReviewStep.State.OPEN
        or step.review_round != item.review_round
        or step.stage_index != item.current_stage
        or item.state in (Item.State.CANCELLED, Item.State.WITHDRAWN, Item.State.RETURNED, Item.State.DRAFT)
    ):
        raise StepClosed(_(STEP_CLOSED))


def _lock_assignees(step):
    # of=self: the join reads the reviewers' names; locking their user rows too
    # made every review move block (and deadlock with) a change to an account.
    return list(
        StepAssignee.objects.select_for_update(of=("self",)).filter(step=step).select_related("user").order_by("pk")
    )


def _taker(assignees):
    return next((a for a in assignees if a.taken_at is not None), None)


def _my_pending(step, assignees, actor):
    """The actor's pending assignment (or, for a deputy during an active
    delegation, the principal's; the caller records decided_by = actor), or
    the right error."""
    mine = acting_assignee(actor, assignees)
    if mine is None:
        raise not_allowed()
    if step.decider == DeciderKind.SECRETARIAT_POOL:
        taker = _taker(assignees)
        if taker is not None and taker.user_id != mine.user_id:
            raise StepClosed(_("该环节已由 %(name)s 领取。") % {"name": taker.user.get_full_name() or taker.user.username})
    if mine.decision != StepAssignee.Decision.PENDING:
        raise StepClosed(_(STEP_CLOSED))
    # Separation of duties, again at decision time: a deputy named after the
    # step opened may be the item's author (infoflow.separation).
    reason = decision_bar(actor, step)
    if reason is not None:
        raise NotAllowed(bar_message(reason))
    return mine


@transaction.atomic
def take_step(*, step, actor) -> ReviewStep:
    """Take a pool stage (秘书处初审, first to take owns it). The others of the
    pool are set to "not needed". Raises StepClosed when someone else took it
    or it was decided, NotAllowed for users outside the pool."""
    item = lock_item(step.item)
    step = _lock_step(step)
    _check_step_current(item, step)
    if step.decider != DeciderKind.SECRETARIAT_POOL:
        raise InvalidInput(_("该环节不是秘书处先领先办环节，无需领取。"))
    assignees = _lock_assignees(step)
    mine = _my_pending(step, assignees, actor)
    if mine.taken_at is not None:
        raise StepClosed(_("您已领取该环节。"))
    now = timezone.now()
    mine.taken_at = now
    save_with_history(mine, actor, "take")
    for other in assignees:
        if other.pk != mine.pk and other.decision == StepAssignee.Decision.PENDING:
            other.decision = StepAssignee.Decision.NOT_NEEDED
            save_with_history(other, actor, "taken_by_other")
    return step


def _close_step(step, state, actor, reason, now, assignees, item):
    for other in assignees:
        if other.decision == StepAssignee.Decision.PENDING:
            other.decision = StepAssignee.Decision.NOT_NEEDED
            save_with_history(other, actor, reason)
    step.state = state
    step.closed_at = now
    save_with_history(step, actor, reason)
    # The on-time page's day totals, in this transaction (approved and returned count, skipped not).
    ontime_days.count_step_closed(step=step, unit_id=item.unit_id)


@transaction.atomic
def approve_step(*, step, actor, opinion="", checked=None) -> ReviewStep:
    """Approve as an assignee of the open step. 会签 (all): the step closes
    when every assignee approved; 或签 (any) and pool stages: the first
    approval closes it and the others become "not needed". A closed step opens
    the next stage, or ends the review (item ready to transmit). An empty
    opinion is recorded as "同意". ``checked``: the ids of the review
    checklist's points the reviewer ticked (loop.checklist_for: 准确性、完整性、
    合规性、必要性, seed 004 (二)), kept with the decision; a required point
    not ticked refuses the approval (InvalidInput). Raises StepClosed
    (decided, taken by another, item moved on), NotAllowed (not an assignee)."""
    item = lock_item(step.item)
    step = _lock_step(step)
    _check_step_current(item, step)
    assignees = _lock_assignees(step)
    mine = _my_pending(step, assignees, actor)
    now = timezone.now()

    mine.decision = StepAssignee.Decision.APPROVED
    mine.opinion = (opinion or "").strip() or str(_("同意"))
    mine.decided_at = now
    mine.decided_by = actor
    if step.decider == DeciderKind.SECRETARIAT_POOL and mine.taken_at is None:
        mine.taken_at = now
    save_with_history(mine, actor, "approve")
    record_ticks(assignee=mine, step=step, actor=actor, checked=checked)

    single = step.mode == DecisionMode.ANY or step.decider == DeciderKind.SECRETARIAT_POOL
    if single or all(a.decision != StepAssignee.Decision.PENDING for a in assignees):
        _close_step(step, ReviewStep.State.APPROVED, actor, "approve", now, assignees, item)
        nxt = step.stage_index + 1
        if nxt < len(item.route_snapshot):
            open_stage(item=item, index=nxt, actor=actor, now=now)
        else:
            item.current_stage = None
            item.approved_at = now
            if not item.send_first:
                require_move(item, Item.State.APPROVED)
                item.state = Item.State.APPROVED
            notices.review_done(item, actor=actor)
        save_with_history(item, actor, "approve")
    sync_item_grants(item)
    return step


@transaction.atomic
def return_step(*, step, actor, opinion) -> ReviewStep:
    """Return the item for revision with a reason (required). The step and
    round close; the item goes back to the initiator (RETURNED), except on a
    send-first route where the item is already out and only the review round
    ends. Raises InvalidInput (no reason), StepClosed, NotAllowed."""
    if not (opinion or "").strip():
        raise InvalidInput(_("请填写退回理由。"))
    item = lock_item(step.item)
    step = _lock_step(step)
    _check_step_current(item, step)
    assignees = _lock_assignees(step)
    mine = _my_pending(step, assignees, actor)
    now = timezone.now()

    mine.decision = StepAssignee.Decision.RETURNED
    mine.opinion = opinion.strip()
    mine.decided_at = now
    mine.decided_by = actor
    save_with_history(mine, actor, "return")
    _close_step(step, ReviewStep.State.RETURNED, actor, "return", now, assignees, item)
    skip_waiting_steps(item, actor, "return", now)

    item.current_stage = None
    if not item.send_first:
        require_move(item, Item.State.RETURNED)
        item.state = Item.State.RETURNED
    save_with_history(item, actor, "return")
    sync_item_grants(item)
    notices.returned(step, actor=actor)
    return step


def skip_waiting_steps(item, actor, reason, now):
    """The round ended by a return: a step still waiting behind a signer
    added before it (前加签) is revoked, so it cannot reopen later."""
    for step in ReviewStep.objects.select_for_update().filter(
        item=item, review_round=item.review_round, state=ReviewStep.State.WAITING
    ).order_by("pk"):
        step.state = ReviewStep.State.SKIPPED
        step.closed_at = now
        save_with_history(step, actor, reason)


def _revoke_open_steps(item, actor, reason, now):
    # A step waiting behind a signer added before it (前加签) ends with the round too.
    waiting = (ReviewStep.State.OPEN, ReviewStep.State.WAITING)
    for step in ReviewStep.objects.select_for_update().filter(item=item, state__in=waiting).order_by("pk"):
        _close_step(step, ReviewStep.State.SKIPPED, actor, reason, now, _lock_assignees(step), item)


@transaction.atomic
def withdraw_item(*, item, actor) -> Item:
    """Take a submitted item back before anyone decided in this round (a pool
    stage taken but not decided still counts as undecided). Open steps become
    "revoked"; reviewers who never acted lose sight of it. Raises
    StateConflict (not in review, or already decided), NotAllowed."""
    item = lock_item(item)
    require_state(item, Item.State.IN_REVIEW)
    if not is_handler(actor, item):
        raise not_allowed()
    decided = StepAssignee.objects.filter(
        step__item=item,
        step__review_round=item.review_round,
        decision__in=(StepAssignee.Decision.APPROVED, StepAssignee.Decision.RETURNED),
    ).exists()
    if decided:
        raise StateConflict(_("审核人已作出审核意见，不能撤回。"))
    now = timezone.now()
    _revoke_open_steps(item, actor, "withdraw", now)
    item.state = Item.State.WITHDRAWN
    item.current_stage = None
    save_with_history(item, actor, "withdraw")
    sync_item_grants(item)
    return item


@transaction.atomic
def cancel_item(*, item, actor, reason) -> Item:
    """Cancel (作废) with a reason (required), before completion: the
    initiator, an officer of the unit, or the secretariat. Open steps are
    revoked. Raises InvalidInput, StateConflict, NotAllowed."""
    if not (reason or "").strip():
        raise InvalidInput(_("请填写作废原因。"))
    item = lock_item(item)
    if not item.can_move_to(Item.State.CANCELLED):
        require_state(item)
    if not can_cancel(actor, item):
        raise not_allowed()
    now = timezone.now()
    _revoke_open_steps(item, actor, "cancel", now)
    item.state = Item.State.CANCELLED
    item.cancel_reason = reason.strip()
    item.current_stage = None
    save_with_history(item, actor, "cancel")
    sync_item_grants(item)
    return item


# Re-exported for views: the same predicates the services use.
__all__ = [
    "submit_item", "withdraw_item", "take_step", "approve_step", "return_step", "cancel_item",
    "open_step", "review_running", "can_decide", "can_take",
]
