"""The item page's panel of circulation, reading and instructions
(registered with infoflow.extensions; the item came through
``items_visible_to``)."""
from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from infoflow.models import Direction
from infoflow.visibility import DELIVERED

from . import permissions, selectors
from .models import CirculationReader, Proposal
from .services.circulation import may_record_reading, relay_units

READERS_SHOWN = 30  # on the item page; the reading page lists them all


def item_panel(request, item) -> str:
    """The panel's HTML, or "" when it has nothing for this user."""
    user = request.user
    now = timezone.now()
    sees_reading = permissions.sees_reading(user, item)
    readers = list(selectors.item_readers(item)[:READERS_SHOWN]) if sees_reading else []
    reader_total = read_total = 0
    if sees_reading:
        rows = CirculationReader.objects.filter(item=item)
        reader_total = rows.count()
        read_total = rows.filter(read_at__isnull=False).count() if reader_total else 0
    all_staff = item.to_all_staff and item.state in DELIVERED
    all_staff_read = selectors.all_staff_read_count(item) if all_staff and sees_reading else 0
    unread_mine = CirculationReader.objects.filter(item=item, user=user, read_at__isnull=True).exists()
    my_receipt = item.read_receipts.filter(user=user).first()
    can_read = not my_receipt and (unread_mine or may_record_reading(user, item))
    instructions = selectors.instructions_of(item)
    for instruction in instructions:
        for task in instruction.tasks.all():
            task.late = task.state == task.State.OPEN and now > task.due_at
            task.can_finish = permissions.can_finish_task(user, task)
            task.can_cancel = permissions.can_cancel_task(user, task)
            task.can_chase = permissions.can_chase_task(user, task)
    proposal = Proposal.objects.filter(item=item).select_related("proposed_by").first()
    context = {
        "item": item,
        "can_circulate": permissions.can_circulate(user, item),
        # A head relays what the department received to its staff (转发, issue 19 §8).
        "can_relay": bool(relay_units(user, item)),
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
