"""Transmission and feedback (传递 → 反馈): transmit, acknowledge, questions,
progress, answers, completion.

Completion. An item that needs answers completes by itself when every
receiver that can answer (units, people, external units) has answered:
``actual_feedback_at`` is the last answer, ``completed_at`` now. A notice
(needs_answer False) completes when every such receiver has acknowledged
receipt, or earlier when its handler completes it by hand (a notice to ten
departments must not wait forever for the last signature). "All staff" has
nobody to sign: publishing is its receipt, so that receiver is recorded as
acknowledged at transmission and never waits for an answer.

External receivers cannot log in: the item's handlers (initiator, officers of
the originating unit) record their receipt and answer.
"""
import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.errors import InvalidInput, StateConflict
from liaison.workdays import add_working_days
from officers.models import OrgUnit

from ..models import Attachment, Item, ProgressUpdate, Question, Receiver, Transmission, TransmissionMethod
from ..permissions import can_answer_question, can_receive, can_transmit, is_handler, sync_item_grants
from .. import extensions, limits, notices
from . import lock_item, not_allowed, require_state, save_with_history
from . import ontime_days
from .drafting import _store
from .loop import clean_outcome

ANSWERING_KINDS = (Receiver.Kind.UNIT, Receiver.Kind.USER, Receiver.Kind.EXTERNAL)


def response_due(item, moment):
    return limits.due(moment, *limits.limit_of("response", item.urgency))


def _send_receivers(item, actor, sent_at):
    """Mark every waiting receiver sent, with its due times."""
    amount, unit = limits.limit_of("response", item.urgency)
    response_due_at = limits.due(sent_at, amount, unit)
    for receiver in item.receivers.select_for_update().filter(state=Receiver.State.WAITING).order_by("pk"):
        receiver.state = Receiver.State.SENT
        receiver.sent_at = sent_at
        receiver.response_due_at = response_due_at
        receiver.response_limit_amount, receiver.response_limit_unit = amount, unit
        receiver.answer_due_at = item.expected_feedback_at if item.needs_answer else None
        if receiver.kind == Receiver.Kind.ALL_STAFF:
            receiver.state = Receiver.State.ACKNOWLEDGED
            receiver.acknowledged_at = sent_at
            receiver.acknowledged_by = actor
        save_with_history(receiver, actor, "transmit")


def _complete(item, actor, now, reason="complete"):
    item.state = Item.State.COMPLETED
    item.completed_at = now
    save_with_history(item, actor, reason)
    extensions.item_finished(item, actor=actor, how="completed")  # information needs (library, issue 19)


def _maybe_complete(item, actor, now) -> bool:
    """Complete the item when its receivers are done (see module docstring)."""
    if item.state != Item.State.TRANSMITTED:
        return False
    receivers = list(item.receivers.filter(kind__in=ANSWERING_KINDS))
    if item.needs_answer:
        if any(r.state != Receiver.State.ANSWERED for r in receivers):
            return False
        answered = [r.answered_at for r in receivers if r.answered_at]
        item.actual_feedback_at = max(answered) if answered else now
    elif any(r.state in (Receiver.State.WAITING, Receiver.State.SENT) for r in receivers):
        return False
    if extensions.completion_blocker(item):  # an open task of a leader's instruction (批示, followup)
        return False
    _complete(item, actor, now)
    return True


def complete_if_done(*, item, actor) -> bool:
    """Complete ``item`` (locked by the caller) if nothing holds it open any
    more: called by an app whose own blocker just cleared (the last task of an
    instruction done or cancelled). Returns whether it completed."""
    return _maybe_complete(item, actor, timezone.now())


# Receivers who read the portal: its own message reaches them.
PORTAL_KINDS = (Receiver.Kind.UNIT, Receiver.Kind.USER, Receiver.Kind.ALL_STAFF)


def transmits_on_submission(item) -> bool:
    """An item whose route has no review stage and whose receivers all read
    the portal goes out on submission by the portal's own message (系统消息):
    the preview promised "无需审核，提交后直接传递给接收方", so nothing waits
    in 待传递 for the officer to pick a method. An external receiver needs a
    method the officer chooses (letter, e-mail, phone), so such an item waits."""
    kinds = set(item.receivers.values_list("kind", flat=True))
    return not item.route_snapshot and bool(kinds) and kinds <= set(PORTAL_KINDS)


def transmit_on_submission(*, item, actor, now) -> Transmission:
    """Called by ``submit_item`` inside its transaction, the item locked and
    just approved (no stage): record the portal's own message as the
    transmission and send every receiver, as ``transmit_item`` does."""
    return _record_transmission(
        item=item, actor=actor, methods=[TransmissionMethod.SYSTEM], sent_at=now, now=now,
        note=str(_("无需审核，提交后由系统消息直接传递。")),
    )


@transaction.atomic
def transmit_item(*, item, actor, methods: list[str], sent_at=None, note="", written_record="",
                  evidence=()) -> Transmission:
    """Record the transmission of an approved item (its handlers): methods,
    time (default now, not in the future), note, evidence files; a phone call
    needs its written record. Every receiver becomes "sent" with its
    acknowledgement limit (response limit of the urgency) and answer due time
    (the expected feedback time). On an item already transmitted (by the
    portal on submission, or by another method) it records a further method
    used (补记), leaving the receivers as they are. Raises StateConflict,
    NotAllowed, InvalidInput, AttachmentRejected. Asks each receiver to sign
    (infoflow.notices)."""
    item = lock_item(item)
    require_state(item, Item.State.APPROVED, Item.State.TRANSMITTED)
    if not can_transmit(actor, item):
        raise not_allowed()
    methods = [m for m in dict.fromkeys(methods or ()) if m]
    if not methods:
        raise InvalidInput(_("请选择至少一种传递方式。"))
    if any(m not in TransmissionMethod.values for m in methods):
        raise InvalidInput(_("传递方式无效。"))
    if TransmissionMethod.PHONE in methods and not (written_record or "").strip():
        raise InvalidInput(_("电话传递后须补充书面记录，请填写电话记录。"))
    now = timezone.now()
    sent_at = sent_at or now
    if sent_at > now + dt.timedelta(minutes=5):
        raise InvalidInput(_("传递时间不能晚于当前时间。"))
    if item.submitted_at and sent_at < item.submitted_at:
        raise InvalidInput(_("传递时间不能早于信息发起时间。"))
    return _record_transmission(item=item, actor=actor, methods=methods, sent_at=sent_at, now=now, note=note,
                                written_record=written_record, evidence=evidence)


def _record_transmission(*, item, actor, methods, sent_at, now, note="", written_record="", evidence=()):
    """Write the transmission; an approved item becomes transmitted and its
    receivers are sent, a transmitted one only gains the methods."""
    transmission = Transmission(
        item=item, methods=",".join(methods), sent_at=sent_at, sent_by=actor, note=(note or "").strip(),
        written_record=(written_record or "").strip(),
    )
    save_with_history(transmission, actor, "transmit")
    for upload in evidence:
        _store(item=item, actor=actor, upload=upload, purpose=Attachment.Purpose.EVIDENCE, transmission=transmission)

    item.transmission_methods = ",".join(dict.fromkeys(item.methods_list + methods))
    if item.state == Item.State.TRANSMITTED:
        save_with_history(item, actor, "transmit_more")
        return transmission
    item.transmitted_at = sent_at
    item.state = Item.State.TRANSMITTED
    save_with_history(item, actor, "transmit")
    _send_receivers(item, actor, sent_at)
    notices.receivers_sent(item, item.receivers.filter(state=Receiver.State.SENT).select_related("unit", "user")
                           .order_by("pk"), actor=actor)
    _maybe_complete(item, actor, now)
    sync_item_grants(item)
    return transmission


def _lock_receiver(receiver):
    item = lock_item(receiver.item)
    receiver = Receiver.objects.select_for_update(of=("self",)).select_related("unit", "user", "external_unit").get(
        pk=receiver.pk)
    receiver.item = item
    return item, receiver


@transaction.atomic
def acknowledge_receipt(*, receiver, actor) -> Receiver:
    """Sign for a receiver (签收): its unit's head or officer, the person, or
    for an external unit the item's handlers. Raises StateConflict (not sent
    yet, already signed), NotAllowed."""
    item, receiver = _lock_receiver(receiver)
    require_state(item, Item.State.TRANSMITTED, Item.State.COMPLETED)
    if not can_receive(actor, receiver):
        raise not_allowed()
    if receiver.state != Receiver.State.SENT:
        raise StateConflict(_("%(receiver)s 已签收，无需重复签收。") % {"receiver": receiver.label}
                            if receiver.state != Receiver.State.WAITING else _("该信息尚未传递，不能签收。"))
    now = timezone.now()
    receiver.state = Receiver.State.ACKNOWLEDGED
    receiver.acknowledged_at = now
    receiver.acknowledged_by = actor
    save_with_history(receiver, actor, "acknowledge")
    _maybe_complete(item, actor, now)
    return receiver


@transaction.atomic
def answer_receiver(*, receiver, actor, result, next_steps="", files=(), outcome="",
                    outcome_reason="") -> Receiver:
    """Record a receiver's answer (result and next steps, files) with its
    outcome code (``Outcome``: 已办结, 部分办结, 纳入计划, 不予采纳 with a
    reason; "" when not stated — seed 001 §3 五.9: solved, or taken into the
    plan); answering also signs for it. Completes the item when the last
    answer is in. Raises InvalidInput (no result, bad outcome, 不予采纳
    without reason), StateConflict (not sent, already answered, item
    closed), NotAllowed, AttachmentRejected."""
    if not (result or "").strip():
        raise InvalidInput(_("请填写处理结果。"))
    outcome, outcome_reason = clean_outcome(outcome, outcome_reason)
    item, receiver = _lock_receiver(receiver)
    require_state(item, Item.State.TRANSMITTED)
    if not can_receive(actor, receiver):
        raise not_allowed()
    if receiver.kind == Receiver.Kind.ALL_STAFF:
        raise InvalidInput(_("“全体员工”无需反馈。"))
    if receiver.state == Receiver.State.ANSWERED:
        raise StateConflict(_("%(receiver)s 已反馈，如需补充请填写进展。") % {"receiver": receiver.label})
    if receiver.state == Receiver.State.WAITING:
        raise StateConflict(_("该信息尚未传递，不能反馈。"))
    now = timezone.now()
    if receiver.acknowledged_at is None:
        receiver.acknowledged_at = now
        receiver.acknowledged_by = actor
    receiver.state = Receiver.State.ANSWERED
    receiver.answered_at = now
    receiver.answered_by = actor
    receiver.answer_result = result.strip()
    receiver.answer_next_steps = (next_steps or "").strip()
    receiver.outcome = outcome
    receiver.outcome_reason = outcome_reason
    save_with_history(receiver, actor, "answer")
    ontime_days.count_answer(receiver=receiver)  # the on-time page's day totals, in this transaction
    for upload in files:
        _store(item=item, actor=actor, upload=upload, purpose=Attachment.Purpose.ANSWER, receiver=receiver)
    notices.answered(receiver, actor=actor)
    _maybe_complete(item, actor, now)
    return receiver


@transaction.atomic
def raise_question(*, receiver, actor, kind, text, responsible_unit, due_at=None) -> Question:
    """A receiver raises a question or coordination request naming the
    responsible unit and a deadline (domain: within 1 working day; default
    one working day from now). The responsible unit's head and officers get
    sight of the item. Raises InvalidInput, StateConflict, NotAllowed."""
    if kind not in Question.Kind.values:
        raise InvalidInput(_("请选择疑问或协调请求。"))
    if not (text or "").strip():
        raise InvalidInput(_("请填写疑问或协调事项的内容。"))
    if responsible_unit is None:
        raise InvalidInput(_("请指定责任部门。"))
    unit = responsible_unit if isinstance(responsible_unit, OrgUnit) else OrgUnit.objects.filter(
        pk=responsible_unit).first()
    if unit is None or not unit.is_active:
        raise InvalidInput(_("所选责任部门不存在或已停用。"))
    item, receiver = _lock_receiver(receiver)
    require_state(item, Item.State.TRANSMITTED)
    if not can_receive(actor, receiver):
        raise not_allowed()
    now = timezone.now()
    if due_at is None:
        due_at = add_working_days(now, 1)
    elif due_at <= now:
        raise InvalidInput(_("答复期限须晚于当前时间。"))
    question = Question(item=item, receiver=receiver, kind=kind, text=text.strip(), raised_by=actor, raised_at=now,
                        responsible_unit=unit, due_at=due_at)
    save_with_history(question, actor, "raise")
    sync_item_grants(item)
    notices.question_raised(question, actor=actor)
    return question


@transaction.atomic
def reply_question(*, question, actor, reply) -> Question:
    """Answer an open question: the responsible unit's head or officers, or
    the item's handlers. Raises InvalidInput, StateConflict, NotAllowed."""
    if not (reply or "").strip():
        raise InvalidInput(_("请填写答复内容。"))
    item = lock_item(question.item)
    question = Question.objects.select_for_update().get(pk=question.pk)
    question.item = item
    if question.state != Question.State.OPEN:
        raise StateConflict(_("该问题已答复。"))
    if not can_answer_question(actor, question):
        raise not_allowed()
    question.state = Question.State.ANSWERED
    question.reply = reply.strip()
    question.replied_by = actor
    question.replied_at = timezone.now()
    save_with_history(question, actor, "reply")
    return question


@transaction.atomic
def post_progress(*, item, actor, text, receiver=None) -> ProgressUpdate:
    """A progress note on a transmitted item: by a receiver (for its own
    receiver row) or by the item's handlers. Raises InvalidInput,
    StateConflict, NotAllowed."""
    if not (text or "").strip():
        raise InvalidInput(_("请填写进展情况。"))
    item = lock_item(item)
    require_state(item, Item.State.TRANSMITTED)
    if receiver is not None:
        receiver = Receiver.objects.get(pk=receiver.pk)
        if receiver.item_id != item.pk:
            raise InvalidInput(_("接收方不属于该信息。"))
        receiver.item = item
        allowed = can_receive(actor, receiver)
    else:
        allowed = is_handler(actor, item)
    if not allowed:
        raise not_allowed()
    update = ProgressUpdate(item=item, receiver=receiver, text=text.strip(), posted_by=actor)
    save_with_history(update, actor, "progress")
    return update


@transaction.atomic
def complete_item(*, item, actor) -> Item:
    """Complete (办结) by hand, by the item's handlers: a notice at any time
    after transmission; an item needing answers only when every answer is in
    (it then normally completed by itself). Raises StateConflict, NotAllowed."""
    item = lock_item(item)
    require_state(item, Item.State.TRANSMITTED)
    if not is_handler(actor, item):
        raise not_allowed()
    now = timezone.now()
    blocker = extensions.completion_blocker(item)
    if blocker:
        raise StateConflict(blocker)
    if item.needs_answer:
        missing = item.receivers.filter(kind__in=ANSWERING_KINDS).exclude(state=Receiver.State.ANSWERED).count()
        if missing:
            raise StateConflict(_("尚有 %(count)s 个接收方未反馈，不能办结。") % {"count": missing})
        if not _maybe_complete(item, actor, now):
            raise StateConflict(_("尚有接收方未反馈，不能办结。"))
        return item
    _complete(item, actor, now)
    return item
