"""The item page's part of the closed loop's small operations (issue 19 §8):
what it shows and which buttons the user gets. A fixed number of queries
whatever the number of tasks, confirmations or seal uses (the item page's
count is tested). The item came through ``items_visible_to``."""
from __future__ import annotations


from django.db.models import Exists, OuterRef

from officers.roles import roles_of

from .loop_models import Escalation, FollowTask, LoopEvent, Seal, SealUse, StudyConfirmation
from .models import Attachment, Item, ProgressUpdate, Question, Receiver, Transmission
from .services import loop
from .signer_models import StepChange

# The item page's smaller tables, each read only when the item has rows there.
PRESENCE = {
    "events": LoopEvent, "tasks": FollowTask, "escalations": Escalation, "studies": StudyConfirmation,
    "seal_uses": SealUse, "changes": StepChange,
    "attachments": Attachment, "questions": Question, "transmissions": Transmission, "updates": ProgressUpdate,
}
EVERYTHING = dict.fromkeys(PRESENCE, True)


def presence_probes() -> dict:
    """Annotations for an Item queryset: ``has_<name>`` for each of
    ``PRESENCE``, an EXISTS probe on the table's item index."""
    return {"has_" + name: Exists(model.objects.filter(item_id=OuterRef("pk"))) for name, model in PRESENCE.items()}


def loop_presence(item) -> dict[str, bool]:
    """Which of the small tables (``PRESENCE``) hold rows of ``item``: read
    with the item when it was fetched with ``presence_probes()`` (the item
    page), else one query of the same probes. Most items have none of these
    rows, and a query each cost the item page more than its SQL (the ORM
    building it, the round trip; issue 12)."""
    if all(hasattr(item, "has_" + name) for name in PRESENCE):
        return {name: bool(getattr(item, "has_" + name)) for name in PRESENCE}
    found = Item.objects.filter(pk=item.pk).order_by().values(**presence_probes()).first() or {}
    return {name: bool(found.get("has_" + name)) for name in PRESENCE}


def loop_events(item, present=EVERYTHING) -> list[dict]:
    """The operations' timeline lines (the shape of selectors.item_timeline's).
    One query, none when ``present`` (``loop_presence``) says there are none."""
    if not present["events"]:
        return []
    return [{"at": e.at, "who": e.actor, "what": e.get_kind_display(), "detail": e.detail, "deadline": None,
             "late": None}
            for e in LoopEvent.objects.filter(item=item).select_related("actor").order_by("at", "pk")]


def loop_context(request, item, receivers, transmissions, now, steps=None, present=EVERYTHING) -> dict:
    """The context of templates/infoflow/_loop_panel.html and the buttons
    beside receivers and transmissions (set on those rows). ``steps``, the
    item's steps with their assignees as the page read them, spare the
    escalation rule reading them again; ``present`` (``loop_presence``)
    spares reading the tables the item has no rows in."""
    user = request.user
    tasks = list(FollowTask.objects.filter(item=item).select_related("owner", "receiver")
                 .order_by("due_at", "pk")) if present["tasks"] else []
    for task in tasks:
        task.late = task.state == FollowTask.State.OPEN and now > task.due_at
        task.can_finish = loop.may_finish_follow_task(user, task)
    escalations = list(Escalation.objects.filter(item=item).select_related("sent_by")
                       .prefetch_related("superiors")) if present["escalations"] else []
    studies = list(StudyConfirmation.objects.filter(item=item)
                   .select_related("unit", "confirmed_by")) if present["studies"] else []
    roles = roles_of(user)
    for study in studies:
        study.late = study.state == StudyConfirmation.State.OPEN and now > study.due_at
        study.can_confirm = study.state == StudyConfirmation.State.OPEN and (
            study.unit_id in roles.headed_unit_ids or study.unit_id in roles.officer_unit_ids)
    # Follow tasks: on answered rows the user answers for, or as a handler.
    task_receivers = [r for r in receivers if loop.may_add_follow_task(user, r)]
    for receiver in receivers:
        receiver.can_add_task = receiver in task_receivers
    owners = []
    if task_receivers:
        owners = list(loop.task_owner_choices(item, task_receivers).order_by("username")[:200])
    may_seal = loop.may_record_seal_use(user, item)
    seal_uses = {}
    uses = SealUse.objects.filter(item=item).select_related("seal", "approved_by").order_by("pk")
    for use in uses if present["seal_uses"] else []:
        seal_uses.setdefault(use.transmission_id, []).append(use)
    for transmission in transmissions:
        transmission.seal_list = seal_uses.get(transmission.pk, [])
        transmission.can_seal = may_seal and loop.sealable(transmission)
    sealing = may_seal and any(t.can_seal for t in transmissions)
    path = loop.escalation_path(user, item, steps=steps, receivers=receivers)
    return {
        "follow_tasks": tasks,
        "open_follow_tasks": [t for t in tasks if t.state == FollowTask.State.OPEN],
        "task_owners": owners,
        "escalations": escalations,
        "can_escalate": bool(path and path[1]),
        "studies": studies,
        "can_require_study": loop.may_require_study(user, item) and any(
            r.kind == Receiver.Kind.UNIT and r.state != Receiver.State.WAITING for r in receivers)
        and len(studies) < len({r.unit_id for r in receivers if r.kind == Receiver.Kind.UNIT}),
        "seals": list(Seal.objects.filter(is_active=True)) if sealing else [],
        "seal_approvers": list(loop.seal_approver_choices().order_by("username")) if sealing else [],
    }

