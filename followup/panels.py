"""The item page's panel of circulation, reading and instructions
(registered with infoflow.extensions; the item came through
``items_visible_to``)."""
from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone

from infoflow import compiled
from infoflow.models import Direction, Receiver
from infoflow.visibility import DELIVERED

from . import permissions, selectors
from .models import CirculationReader, Instruction, Proposal, ReadReceipt
from .services.circulation import relay_units

READERS_SHOWN = 30  # on the item page; the reading page lists them all


def item_probes(user) -> dict:
    """What the panel reads only when the item has it, probed with the item
    on its page (infoflow.extensions.item_probes): readings, the user's
    read receipt, instructions, a proposal, a unit receiver the user heads."""
    item = OuterRef("pk")
    return {
        "followup_has_readers": Exists(CirculationReader.objects.filter(item_id=item)),
        "followup_has_receipt": Exists(ReadReceipt.objects.filter(item_id=item, user_id=user.pk)),
        "followup_has_instructions": Exists(Instruction.objects.filter(item_id=item)),
        "followup_has_proposal": Exists(Proposal.objects.filter(item_id=item)),
        "followup_heads_receiver": Exists(Receiver.objects.filter(item_id=item, kind=Receiver.Kind.UNIT,
                                                                  unit__head_id=user.pk)),
    }


def _readers_shown(item_id):
    # The panel's readers, compiled once per process (infoflow.compiled; issue 12).
    return selectors.item_readers(item_id)[:READERS_SHOWN]


def _has(item, name) -> bool:
    """False only when the item came with probe ``name`` and it found nothing."""
    return getattr(item, name, None) is not False


def item_panel(request, item) -> str:
    """The panel's HTML, or "" when it has nothing for this user."""
    user = request.user
    now = timezone.now()
    sees_reading = permissions.sees_reading(user, item)
    has_readers = _has(item, "followup_has_readers")
    readers = compiled.rows(_readers_shown, item.pk) if sees_reading and has_readers else []
    if not has_readers:
        counts = {"total": 0, "read": 0, "mine": 0, "unread_mine": 0}
    elif sees_reading and len(readers) < READERS_SHOWN:
        # Every reading is on the panel: counted from its rows.
        counts = {"total": len(readers), "read": sum(1 for r in readers if r.read_at is not None),
                  "mine": sum(1 for r in readers if r.user_id == user.pk),
                  "unread_mine": sum(1 for r in readers if r.user_id == user.pk and r.read_at is None)}
    else:
        # The item's readings counted in one query: all, read, and the user's
        # own (circulated to them; still unread) — four queries before (issue 12).
        counts = CirculationReader.objects.filter(item=item).aggregate(
            total=Count("pk"), read=Count("pk", filter=Q(read_at__isnull=False)),
            mine=Count("pk", filter=Q(user_id=user.pk)),
            unread_mine=Count("pk", filter=Q(user_id=user.pk, read_at__isnull=True)))
    reader_total = counts["total"] if sees_reading else 0
    read_total = counts["read"] if sees_reading else 0
    all_staff = item.to_all_staff and item.state in DELIVERED
    all_staff_read = selectors.all_staff_read_count(item) if all_staff and sees_reading else 0
    my_receipt = (item.read_receipts.filter(user=user).order_by("pk").first()  # one at most (unique_read_receipt)
                  if _has(item, "followup_has_receipt") else None)
    # may_record_reading's rule: circulated to the user, or a delivered notice to all staff.
    can_read = not my_receipt and bool(counts["unread_mine"] or counts["mine"] or all_staff)
    instructions = selectors.instructions_of(item) if _has(item, "followup_has_instructions") else []
    for instruction in instructions:
        for task in instruction.tasks.all():
            task.late = task.state == task.State.OPEN and now > task.due_at
            task.can_finish = permissions.can_finish_task(user, task)
            task.can_cancel = permissions.can_cancel_task(user, task)
            task.can_chase = permissions.can_chase_task(user, task)
    proposal = (Proposal.objects.filter(item=item).select_related("proposed_by").first()
                if _has(item, "followup_has_proposal") else None)
    context = {
        "item": item,
        "can_circulate": permissions.can_circulate(user, item),
        # A head relays what the department received to its staff (转发, issue 19 §8).
        "can_relay": _has(item, "followup_heads_receiver") and bool(relay_units(user, item)),
        "sees_reading": sees_reading,
        "readers": readers,
        "reader_total": reader_total,
        "read_total": read_total,
        "more_readers": reader_total > len(readers),
        "all_staff": all_staff,
        "all_staff_read": all_staff_read,
        "can_read": can_read,
        "my_receipt": my_receipt,
        "instructions": instructions,
        "proposal": proposal,
        "is_incoming": item.direction == Direction.INCOMING,
        "can_propose": permissions.can_propose(user, item) and not instructions,
        "can_instruct": permissions.can_instruct(user, item),
    }
    shows = (context["can_circulate"] or context["can_relay"] or readers or all_staff or can_read or my_receipt or instructions
             or proposal or context["can_propose"] or context["can_instruct"])
    if not shows:
        return ""
    return render_to_string("followup/_item_panel.html", context, request=request)
