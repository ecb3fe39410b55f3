"""The whole route of an item in view (issue 15 §6): the stages done, the
current one and those still to come, each with its people — the future
ones as the route would open them now (``routing.describe_stages``) — and
the 加签/减签/转办/退回 records as timeline events.

Reads only; the item page (views.detail) shows them in
templates/infoflow/_route_line.html.
"""
from django.utils.translation import gettext as _

from liaison.data_labels import label as data_label

from .models import Item, ReviewStep, StepAssignee, StepChange
from .services.routing import describe_stages

DONE, CURRENT, WAITING, FUTURE, RETURNED, SKIPPED = "done", "current", "waiting", "future", "returned", "skipped"


def _name(user) -> str:
    return user.get_full_name() or user.username


def _people(step) -> list[str]:
    """Who decided (done, returned) or decides (open, waiting) the step."""
    assignees = list(step.assignees.all())
    decided = [a for a in assignees if a.decision in (StepAssignee.Decision.APPROVED, StepAssignee.Decision.RETURNED)]
    if step.state in (ReviewStep.State.APPROVED, ReviewStep.State.RETURNED) and decided:
        return [_name(a.decided_by or a.user) for a in decided]
    pending = [a for a in assignees if a.decision == StepAssignee.Decision.PENDING]
    return [_name(a.user) for a in (pending or assignees)]


STATE_OF_STEP = {
    ReviewStep.State.APPROVED: DONE, ReviewStep.State.OPEN: CURRENT, ReviewStep.State.WAITING: WAITING,
    ReviewStep.State.RETURNED: RETURNED, ReviewStep.State.SKIPPED: SKIPPED,
}


def route_line(item, steps) -> list[dict]:
    """``[{"name", "state", "people": [names], "problem"}]``, one per stage of
    the item's route, for a submitted item (empty for a draft or an item
    without review: the route preview shows those). ``steps``: the item's
    steps with assignees prefetched (selectors.item_steps)."""
    snapshot = item.route_snapshot or []
    if not item.number or not snapshot or item.review_round == 0:
        return []
    this_round = {s.stage_index: s for s in steps if s.review_round == item.review_round}
    earlier = {}
    for s in steps:
        if s.review_round < item.review_round and s.state == ReviewStep.State.APPROVED:
            earlier[s.stage_index] = s
    first = min(this_round) if this_round else 0
    review_over = item.state not in (Item.State.IN_REVIEW,) and not any(
        s.state in (ReviewStep.State.OPEN, ReviewStep.State.WAITING) for s in this_round.values())
    rows = []
    future_from = None
    for index, stage in enumerate(snapshot):
        step = this_round.get(index)
        if step is not None:
            rows.append({"name": data_label(step.name), "state": STATE_OF_STEP[step.state], "people": _people(step),
                         "problem": None})
        elif index < first:
            old = earlier.get(index)
            rows.append({"name": data_label(stage["name"]), "state": DONE,
                         "people": _people(old) if old else [], "problem": None})
        else:
            if future_from is None:
                future_from = index
            rows.append(None)
    if future_from is not None:
        if review_over and item.state not in (Item.State.RETURNED, Item.State.WITHDRAWN):
            previews = [{"name": s["name"], "users": [], "problem": None} for s in snapshot[future_from:]]
        else:
            previews = describe_stages(item, snapshot[future_from:])
        for offset, preview in enumerate(previews):
            rows[future_from + offset] = {
                "name": data_label(preview["name"]), "state": FUTURE,
                "people": [_name(u) for u in preview["users"]], "problem": preview["problem"],
            }
    return [r for r in rows if r is not None]


def change_events(item, present=True) -> list[dict]:
    """The 加签/减签/转办/退回至指定环节 records as timeline events (the shape
    of ``selectors.item_timeline``'s). One query; none when ``present`` is
    False (the caller knows the item has no such records)."""
    events = []
    if not present:
        return events
    for change in StepChange.objects.filter(item=item).select_related("actor", "person", "step").order_by("at", "pk"):
        kind = change.get_kind_display()
        if change.kind == StepChange.Kind.RETURN_TO:
            what = _("退回至“%(stage)s”环节") % {"stage": data_label(change.stage_name)}
        elif change.person_id:
            # The stage it was done from (a signer added after 部门负责人, a step transferred).
            what = _("%(kind)s：%(name)s（%(stage)s）") % {
                "kind": kind, "name": _name(change.person), "stage": data_label(change.step.name)}
        else:
            what = str(kind)
        events.append({"at": change.at, "who": change.actor, "what": what, "detail": change.reason,
                       "deadline": None, "late": None})
    return events


def with_changes(timeline: list[dict], item, present=True) -> list[dict]:
    """The item's timeline with its 加签/转办 records merged in, oldest first
    (``present``: as for ``change_events``)."""
    return sorted(list(timeline) + change_events(item, present), key=lambda e: e["at"])
