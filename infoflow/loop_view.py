"""The item page's part of the closed loop's small operations (issue 19 §8):
what it shows and which buttons the user gets. A fixed number of queries
whatever the number of tasks, confirmations or seal uses (the item page's
count is tested). The item came through ``items_visible_to``."""
from __future__ import annotations


from officers.roles import roles_of

from .loop_models import Escalation, FollowTask, LoopEvent, Seal, SealUse, StudyConfirmation
from .models import Receiver
from .services import loop


def loop_events(item) -> list[dict]:
    """The operations' timeline lines (the shape of selectors.item_timeline's). One query."""
    return [{"at": e.at, "who": e.actor, "what": e.get_kind_display(), "detail": e.detail, "deadline": None,
             "late": None}
            for e in LoopEvent.objects.filter(item=item).select_related("actor").order_by("at", "pk")]


def loop_context(request, item, receivers, transmissions, now) -> dict:
    """The context of templates/infoflow/_loop_panel.html and the buttons
    beside receivers and transmissions (set on those rows)."""
    user = request.user
    tasks = list(FollowTask.objects.filter(item=item).select_related("owner", "receiver").order_by("due_at", "pk"))
    for task in tasks:
        task.late = task.state == FollowTask.State.OPEN and now > task.due_at
        task.can_finish = loop.may_finish_follow_task(user, task)
    escalations = list(Escalation.objects.filter(item=item).select_related("sent_by").prefetch_related("superiors"))
    studies = list(StudyConfirmation.objects.filter(item=item).select_related("unit", "confirmed_by"))
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
    for use in SealUse.objects.filter(item=item).select_related("seal", "approved_by").order_by("pk"):
        seal_uses.setdefault(use.transmission_id, []).append(use)
    for transmission in transmissions:
        transmission.seal_list = seal_uses.get(transmission.pk, [])
        transmission.can_seal = may_seal and loop.sealable(transmission)
    sealing = may_seal and any(t.can_seal for t in transmissions)
    path = loop.escalation_path(user, item)
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

