"""转办 and 退回至指定环节: a reviewer hands their step to another person, or
sends the review back to a chosen earlier stage.

转办: the actor's assignment is marked "transferred" (kept, with the reason
as its opinion, so the actor stays on the item's path and in the timeline),
and the new person gets a pending assignment on the same step: they decide
it, within the step's own due time. On a pool stage (先领先办) the new
person holds the step as taken.

退回至指定环节: the current step closes as returned with the reason, the
round ends, and a new round opens at the chosen earlier stage of the item's
route (not only the first stage or the returning one, RouteRule.restart);
the stages after it run again in order. The item stays in review.
"""
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.errors import InvalidInput

from .. import notices
from ..models import DeciderKind, ReviewStep, StepAssignee, StepChange
from ..permissions import sync_item_grants
from ..separation import display_name
from . import lock_item, save_with_history
from .chain import (_check_step_current, _close_step, _lock_assignees, _lock_step, _my_pending, open_stage,
                    skip_waiting_steps)
from .signers import _require_reason, check_person


@transaction.atomic
def transfer_step(*, step: ReviewStep, actor, person, reason: str) -> StepChange:
    """Hand the actor's pending assignment on the current step to ``person``
    (转办) with a reason (required). Returns the StepChange. Raises
    StepClosed (decided, taken by another, the item moved on), NotAllowed
    (not a decider of the step), InvalidInput (no reason; the person is the
    actor, inactive, an author of the item, or already on the step)."""
    reason = _require_reason(reason)
    item = lock_item(step.item)
    step = _lock_step(step)
    _check_step_current(item, step)
    assignees = _lock_assignees(step)
    mine = _my_pending(step, assignees, actor)
    person = get_user_model().objects.get(pk=person.pk)
    check_person(item, person, actor=actor)
    if person.pk == mine.user_id:
        raise InvalidInput(_("不能转给本人。"))
    if any(a.user_id == person.pk for a in assignees):
        raise InvalidInput(_("%(name)s 已是本环节的审核人。") % {"name": display_name(person)})
    now = timezone.now()
    pool = step.decider == DeciderKind.SECRETARIAT_POOL

    mine.decision = StepAssignee.Decision.TRANSFERRED
    mine.opinion = reason
    mine.decided_at = now
    mine.decided_by = actor
    if pool:
        mine.taken_at = None  # the new person holds the pool stage now
    save_with_history(mine, actor, "transfer")
    if pool:
        for other in assignees:
            if other.pk != mine.pk and other.decision == StepAssignee.Decision.PENDING:
                other.decision = StepAssignee.Decision.NOT_NEEDED
                save_with_history(other, actor, "taken_by_other")
    save_with_history(StepAssignee(step=step, user=person, taken_at=now if pool else None), actor, "transfer")
    change = save_with_history(
        StepChange(item=item, step=step, kind=StepChange.Kind.TRANSFER, actor=actor, person=person,
                   stage_name=step.name, reason=reason, at=now),
        actor, "transfer",
    )
    sync_item_grants(item)
    notices.step_transferred(change, step, actor=actor)
    return change


def earlier_stages(item, step) -> list[tuple[int, str]]:
    """``[(index, name)]`` of the stages before ``step`` in the item's route:
    the choices of 退回至指定环节."""
    return [(i, s["name"]) for i, s in enumerate(item.route_snapshot[: step.stage_index])]


@transaction.atomic
def return_to_stage(*, step: ReviewStep, actor, stage_index: int, opinion: str) -> ReviewStep:
    """Return the review from the current step to the earlier stage
    ``stage_index`` of the item's route with the reason (required). Closes
    the step as returned, ends the round and opens the stage in a new round.
    Returns the newly opened step. Raises InvalidInput (no reason, not an
    earlier stage, nobody can decide it), StepClosed, NotAllowed."""
    opinion = _require_reason(opinion)
    item = lock_item(step.item)
    step = _lock_step(step)
    _check_step_current(item, step)
    assignees = _lock_assignees(step)
    mine = _my_pending(step, assignees, actor)
    try:
        stage_index = int(stage_index)
    except (TypeError, ValueError):
        stage_index = -1
    if not 0 <= stage_index < step.stage_index:
        raise InvalidInput(_("请选择本环节之前的一个环节。"))
    now = timezone.now()

    mine.decision = StepAssignee.Decision.RETURNED
    mine.opinion = opinion
    mine.decided_at = now
    mine.decided_by = actor
    save_with_history(mine, actor, "return_to")
    _close_step(step, ReviewStep.State.RETURNED, actor, "return_to", now, assignees, item)
    skip_waiting_steps(item, actor, "return_to", now)
    stage_name = item.route_snapshot[stage_index]["name"]
    save_with_history(
        StepChange(item=item, step=step, kind=StepChange.Kind.RETURN_TO, actor=actor, stage_name=stage_name,
                   reason=opinion, at=now),
        actor, "return_to",
    )
    item.review_round += 1
    opened = open_stage(item=item, index=stage_index, actor=actor, now=now)
    save_with_history(item, actor, "return_to")
    sync_item_grants(item)
    return opened
