"""An inactive user keeps no open step (issue 10 §2).

``deactivate_user`` is the one way an account is switched off (the admin's
user change form and its "停用账号" action call it): it clears ``is_active``
and hands each review step still waiting for the user to someone who can
decide it, then tells the secretariat. Who takes a step:

1. the user's deputy in force (services.delegation), unless the separation of
   duties bars them (an author of the item, or the decider of the stage
   before on an external item);
2. on a pool or 或签 stage, the others of the stage (a pool stage the user had
   taken goes back to the rest of the pool);
3. otherwise the next decider of the route, as when a decider stands aside
   (services.routing.assign_stage).

The step records the handover (``ReviewStep.handovers``), so the timeline
says "王五 的账号已停用，其待办环节转由 李四 审核".
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.notifications import notify

from ..models import DeciderKind, ReviewStep, StepAssignee
from ..permissions import sync_item_grants
from ..separation import INACTIVE, authors_of, bar_reason, display_name, previous_deciders
from .. import notices
from ..notices import what
from ..people import people_with_role
from . import lock_item, save_with_history
from .delegation import deputies_of
from .routing import _pooled, _successors


def _replacements(item, step, user, assignees, now) -> tuple[list, list]:
    """(users to decide in the user's place, assignments to re-open)."""
    authors = authors_of(item)
    previous = previous_deciders(item, step.review_round, step.stage_index)

    def allowed(person):
        return person.is_active and person.pk != user.pk and bar_reason(person.pk, authors, previous) is None

    deputy = deputies_of([user.pk], now).get(user.pk)
    if deputy is not None and allowed(deputy):
        return [deputy], []
    stage = {"decider": step.decider, "mode": step.mode}
    if _pooled(stage):
        others = [a for a in assignees if a.user_id != user.pk and allowed(a.user)]
        pending = [a for a in others if a.decision == StepAssignee.Decision.PENDING]
        if pending:
            return [a.user for a in pending], []
        if step.decider == DeciderKind.SECRETARIAT_POOL:
            # The user had taken the pool stage: it goes back to the rest of the pool.
            released = [a for a in others if a.decision == StepAssignee.Decision.NOT_NEEDED and a.decided_at is None]
            if released:
                return [a.user for a in released], released
    taken = {a.user_id for a in assignees}
    later = item.route_snapshot[step.stage_index + 1:]
    for group in _successors(item, stage, later, user):
        found = [u for u in group if allowed(u) and u.pk not in taken]
        if found:
            return (found if _pooled(stage) else found[:1]), []
    return [], []


def hand_over_step(*, step: ReviewStep, user, actor, reason: str = INACTIVE, now=None) -> dict | None:
    """Hand ``user``'s pending assignment on the open ``step`` over (see the
    module docstring) for ``reason`` (INACTIVE, or a separation-of-duties
    bar for a step opened before the rule); the caller holds the
    transaction. Returns the handover recorded on the step, or None when the
    user had nothing pending there."""
    now = now or timezone.now()
    item = lock_item(step.item)
    step = ReviewStep.objects.select_for_update().get(pk=step.pk)
    assignees = list(
        StepAssignee.objects.select_for_update(of=("self",)).filter(step=step).select_related("user").order_by("pk")
    )
    mine = next((a for a in assignees if a.user_id == user.pk), None)
    if step.state != ReviewStep.State.OPEN or mine is None or mine.decision != StepAssignee.Decision.PENDING:
        return None
    to, reopened = _replacements(item, step, user, assignees, now)

    mine.decision = StepAssignee.Decision.NOT_NEEDED
    mine.taken_at = None
    save_with_history(mine, actor, "deactivated" if reason == INACTIVE else "recused")
    for assignment in reopened:
        assignment.decision = StepAssignee.Decision.PENDING
        save_with_history(assignment, actor, "handover")
    existing = {a.user_id for a in assignees}
    for person in to:
        if person.pk not in existing:
            save_with_history(StepAssignee(step=step, user=person), actor, "handover")
    entry = {
        "reason": reason, "person": display_name(user), "person_id": user.pk, "deputy": "",
        "to": [display_name(u) for u in to], "to_ids": [u.pk for u in to], "at": now.isoformat(),
    }
    step.handovers = [*step.handovers, entry]
    save_with_history(step, actor, "handover")
    sync_item_grants(item)
    notices.step_opened(step, actor=actor)
    return entry


@transaction.atomic
def deactivate_user(*, user, actor) -> list[tuple[ReviewStep, dict]]:
    """Switch the account off and hand each review step still waiting for it
    over; tell the secretariat which steps went to whom. Returns the
    (step, handover) pairs. Running it for an inactive user hands over
    whatever is still waiting for them, and changes nothing else."""
    # FOR NO KEY UPDATE: a review move in flight holds its item and writes rows
    # naming this user (KEY SHARE on the user row), which FOR UPDATE, taken
    # here before the items, would block (tests/infoflow/test_separation_races.py).
    user = get_user_model().objects.select_for_update(no_key=True).get(pk=user.pk)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    now = timezone.now()
    # Items first, each in primary-key order (services: lock the item, then its steps).
    open_steps = (
        ReviewStep.objects.filter(
            state=ReviewStep.State.OPEN, assignees__user=user, assignees__decision=StepAssignee.Decision.PENDING
        )
        .select_related("item")
        .order_by("item_id", "pk")
    )
    done = []
    for step in open_steps:
        entry = hand_over_step(step=step, user=user, actor=actor, now=now)
        if entry is not None:
            done.append((step, entry))
    if done:
        lines = "；".join(
            _("%(what)s → %(to)s") % {"what": what(step.item, step.name), "to": "、".join(entry["to"]) or _("无人可接替，请处理")}
            for step, entry in done
        )
        body = _("%(user)s 的账号已停用，其 %(count)d 个待审核环节已转交：%(lines)s。") % {
            "user": display_name(user), "count": len(done), "lines": lines}
        for person in people_with_role("secretariat", "secretariat_lead"):
            notify(recipient=person, key="deactivated:%d:%s" % (user.pk, now.isoformat()), kind="other", subject=_("账号停用，待审核环节已转交"), body=body, url=reverse("infoflow:item-detail", args=[done[0][0].item_id]))  # noqa: E501
    return done


@transaction.atomic
def recuse_open_steps(*, actor=None) -> list[tuple[ReviewStep, dict]]:
    """Apply the separation of duties to steps already open: each pending
    assignee barred from deciding now (an author of the item, or on an
    external item the decider of the stage before) hands the step over as
    when it opens. For steps opened before the rule, which nobody could
    decide otherwise. Returns the (step, handover) pairs."""
    steps = (
        ReviewStep.objects.filter(state=ReviewStep.State.OPEN, assignees__decision=StepAssignee.Decision.PENDING)
        .select_related("item").distinct().order_by("item_id", "pk")
    )
    done = []
    for step in steps:
        authors = authors_of(step.item)
        previous = previous_deciders(step.item, step.review_round, step.stage_index)
        for assignee in step.assignees.filter(decision=StepAssignee.Decision.PENDING).select_related("user").order_by("pk"):
            reason = bar_reason(assignee.user_id, authors, previous)
            if reason is not None:
                entry = hand_over_step(step=step, user=assignee.user, actor=actor, reason=reason)
                if entry is not None:
                    done.append((step, entry))
    return done
