"""The item page (the whole story) and attachment downloads."""
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from liaison import preview
from officers.roles import roles_of

from .. import extensions, loop_view, permissions, route_view, selectors
from ..forms import AttachmentForm, ProgressForm, ReplyForm
from ..models import Item, ReviewStep, StepAssignee
from ..services.chasing import may_chase_steps as chase_rule
from ..services.routing import preview_route
from ..services.signers import removable_changes
from ..visibility import record_restricted_view
from ..page_item import page_item
from .common import get_item
from .printing import WATERMARKED


is_owner = permissions.is_handler


def detail_context(request, item):
    user = request.user
    now = timezone.now()
    # Which of the item's smaller tables hold rows of it (read with the item
    # on its page, else one query): those it has none of are not queried.
    present = loop_view.loop_presence(item)
    steps = selectors.item_steps_read(item)
    # Every file of the item in one query (its own, the receivers' answers,
    # the transmissions' evidence), handed to each row as ``files``.
    attachments = selectors.item_attachments_read(item) if present["attachments"] else []
    receivers = selectors.item_receivers_read(item)
    for receiver in receivers:
        receiver.files = [a for a in attachments if a.receiver_id == receiver.pk]
    questions = selectors.item_rows_read(item, "questions") if present["questions"] else []
    owner = is_owner(user, item)
    open_steps = []
    may_chase_steps = None
    for step in steps:
        step.late = step.is_late(now)
        if step.state != ReviewStep.State.OPEN:
            continue
        if step.late and may_chase_steps is None:
            may_chase_steps = chase_rule(user, item)
        step.can_chase = bool(step.late and may_chase_steps)
        step.can_take = permissions.can_take(user, step)
        # can_decide on the step also answers for a deputy (delegation).
        step.can_decide = permissions.can_decide(user, step)
        open_steps.append(step)
    for receiver in receivers:
        receiver.actionable = permissions.can_receive(user, receiver) and item.state == Item.State.TRANSMITTED
        due = receiver.answer_due_at if receiver.state != "answered" else None
        receiver.late = bool(due and now > due) or bool(
            receiver.answered_at and receiver.answer_due_at and receiver.answered_at > receiver.answer_due_at
        )
    for q in questions:
        q.late = (q.replied_at or now) > q.due_at
        q.can_reply = q.state == "open" and permissions.can_answer_question(user, q)
    rounds = {}
    for step in steps:
        rounds.setdefault(step.review_round, []).append(step)
    can_edit = permissions.can_edit(user, item)
    # The rows the user answers for in person (a unit they serve, themselves);
    # external rows and all staff are the handlers', who post as the item.
    progress_receivers = [r for r in receivers if r.actionable and r.kind in ("unit", "user")]
    transmissions = selectors.item_rows_read(item, "transmissions") if present["transmissions"] else []
    for transmission in transmissions:
        transmission.files = [a for a in attachments if a.transmission_id == transmission.pk]
    updates = selectors.item_rows_read(item, "updates") if present["updates"] else []
    context = {
        "item": item,
        "now": now,
        "rounds": sorted(rounds.items()),
        "open_steps": open_steps,
        "receivers": receivers,
        "questions": questions,
        "transmissions": transmissions,
        "updates": updates,
        "attachments": attachments,
        # The history plus the 加签/减签/转办 records; the route done, current and to come (issue 15).
        "timeline": route_view.with_changes(
            selectors.item_timeline(item, transmissions=transmissions, questions=questions, updates=updates)
            + loop_view.loop_events(item, present), item, present["changes"]),
        "route_line": route_view.route_line(item, steps),
        "removable": removable_changes(item, user) if item.current_stage is not None else [],
        "is_owner": owner,
        "can_edit": can_edit,
        "can_submit": permissions.can_submit(user, item),
        "can_withdraw": owner and item.state == Item.State.IN_REVIEW,
        "can_cancel": permissions.can_cancel(user, item),
        "can_transmit": permissions.can_transmit(user, item),
        "can_complete": owner and item.state == Item.State.TRANSMITTED,
        # post_progress takes notes on a transmitted item only: from its
        # handlers, or from a receiver for its own row (chosen on the form).
        "can_progress": item.state == Item.State.TRANSMITTED and (owner or bool(progress_receivers)),
        "progress_receivers": progress_receivers,
        "feedback_late": bool(
            item.expected_feedback_at and (item.actual_feedback_at or now) > item.expected_feedback_at
            and item.state not in (Item.State.DRAFT, Item.State.CANCELLED, Item.State.WITHDRAWN)
        ),
        "progress_form": ProgressForm(),
        "reply_form": ReplyForm(),
        "attachment_form": AttachmentForm(),
        # Circulation, reading and instructions (followup), registered in infoflow.extensions.
        "extra_panels": extensions.detail_panels(request, item),
    }
    # Outcome codes, follow tasks, 呈报, study confirmations and seal use (issue 19 §8).
    context.update(loop_view.loop_context(request, item, receivers, transmissions, now, steps=steps, present=present))
    if item.state in (Item.State.DRAFT, Item.State.RETURNED, Item.State.WITHDRAWN) and (can_edit or owner):
        context["route"] = preview_route(item)
    return context


@login_required
@require_GET
def item_detail(request, pk):
    # Through the visibility selector as get_item (404 when not visible), with
    # the small tables' presence probes and the panels' read in the same query,
    # its SQL compiled once per user's rule (infoflow.page_item).
    item = page_item(request.user, pk, probes=True)
    if item.is_restricted:
        record_restricted_view(request.user, item, request)
    return render(request, "infoflow/item_detail.html", detail_context(request, item))


@login_required
@require_GET
def download(request, pk, attachment_pk):
    """An attachment, only for users who may see the item, always as a
    download (never rendered inline by the browser)."""
    item = get_item(request, pk)
    attachment = get_object_or_404(item.attachments, pk=attachment_pk)
    if item.is_restricted:
        record_restricted_view(request.user, item, request)
    content_type = attachment.content_type or "application/octet-stream"
    if item.confidentiality in WATERMARKED:
        # Issue 18 §4: PDFs and images of internal and restricted items carry the
        # organisation, the user and the time; other files download unchanged.
        try:
            with attachment.file.open("rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            raise Http404 from None
        return preview.download_response(data=data, filename=attachment.original_name,
                                         mark=preview.watermark_text(request.user), content_type=content_type)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name, content_type=content_type)
