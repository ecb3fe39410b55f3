"""Chasing (催办): a reminder sent by hand about an overdue answer or an
overdue review step.

One click on the item page sends a notice to the receiving unit's head and
active officers (or to the person receiver), or, for a review step past its
limit, to the step's pending reviewers and their deputies in force. The
initiator and the unit's officers chase receivers and steps; the secretariat,
which supervises the review (domain "the initiator chases overdue answers",
issue 10 §6.4), chases review steps too. At most once per *working* hour per
item, whatever was chased: the time since the item's last chase is measured
with ``liaison.workdays.working_time_between``, so a chase at 11:50 cannot be
repeated at 13:40 (20 working minutes later, across lunch), nor after hours.
"""
import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.errors import ChaseTooSoon, InvalidInput, StateConflict
from liaison.workdays import add_working_time, working_time_between
from officers.roles import roles_of

from ..models import Chase, Item, Receiver, ReviewStep, StepAssignee
from ..permissions import is_handler
from .. import notices
from ..people import receiver_people, with_deputies
from . import lock_item, not_allowed

CHASE_INTERVAL = dt.timedelta(hours=1)  # working time


def is_overdue(receiver, now=None) -> bool:
    """The receiver has not answered and its answer (or, not yet
    acknowledged, its response) is past due."""
    now = now or timezone.now()
    if receiver.state not in (Receiver.State.SENT, Receiver.State.ACKNOWLEDGED):
        return False
    if receiver.answer_due_at is not None and receiver.answer_due_at <= now:
        return True
    return (
        receiver.state == Receiver.State.SENT
        and receiver.response_due_at is not None
        and receiver.response_due_at <= now
    )


def step_is_overdue(step, now=None) -> bool:
    """An open review step past its review limit."""
    now = now or timezone.now()
    return step.state == ReviewStep.State.OPEN and step.due_at is not None and step.due_at <= now


def may_chase_steps(user, item) -> bool:
    """Who may chase review steps: the initiator, an active officer of the
    originating unit, or the secretariat."""
    if is_handler(user, item):
        return True
    return user is not None and user.is_authenticated and user.is_active and roles_of(user).is_secretariat


def can_chase(user, item) -> bool:
    """Who may chase receivers: the initiator or an active officer of the originating unit."""
    return item.state == Item.State.TRANSMITTED and is_handler(user, item)


def step_recipients(step) -> list:
    """The people a chase about ``step`` goes to: its pending reviewers and
    their deputies in force (active users only)."""
    return with_deputies(
        step.assignees.filter(decision=StepAssignee.Decision.PENDING).order_by("pk").values_list("user_id", flat=True)
    )


def recipients_of(receiver):
    """The people a chase about ``receiver`` goes to (infoflow.people)."""
    return receiver_people(receiver)


def _fmt(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _check_interval(item, now):
    last = Chase.objects.filter(item=item).order_by("-sent_at").first()
    if last is not None and working_time_between(last.sent_at, now) < CHASE_INTERVAL:
        raise ChaseTooSoon(
            _("该信息已于 %(last)s 催办过，每条信息每个工作小时最多催办一次，请于 %(next)s 后再催办。")
            % {"last": _fmt(last.sent_at), "next": _fmt(add_working_time(last.sent_at, CHASE_INTERVAL))}
        )


def _chase_step(item, step, actor, now) -> Chase | None:
    """One Chase row and one notice per recipient for an overdue step, or
    None when nobody active is left to tell."""
    people = [p for p in step_recipients(step) if p.pk != actor.pk]
    if not people:
        return None
    chase = Chase.objects.create(item=item, step=step, sent_by=actor, sent_at=now, recipients=len(people))
    step.item = item
    notices.step_chased(chase, step, people, actor=actor)
    return chase


def _chase_receiver(item, r, people, actor, now) -> Chase:
    chase = Chase.objects.create(item=item, receiver=r, sent_by=actor, sent_at=now, recipients=len(people))
    r.item = item
    notices.receiver_chased(chase, r, people, actor=actor)
    return chase


@transaction.atomic
def chase_step(*, item, step, actor) -> Chase:
    """Chase one overdue review step: one Chase row and one notice per
    pending reviewer (and deputy in force), key ``chase:<chase>:<user>``.
    Raises NotAllowed (not the initiator, an officer of the unit nor the
    secretariat), StateConflict (the step is closed or not yet overdue),
    ChaseTooSoon (within a working hour of the item's last chase),
    InvalidInput (nobody active to tell)."""
    # The item lock serialises two clicks at once: the second sees the first's Chase.
    item = lock_item(item)
    if not may_chase_steps(actor, item):
        raise not_allowed()
    step = ReviewStep.objects.get(pk=step.pk, item=item)
    now = timezone.now()
    if step.state != ReviewStep.State.OPEN:
        raise StateConflict(_("“%(stage)s”环节已办结，无需催办。") % {"stage": step.name})
    if not step_is_overdue(step, now):
        raise StateConflict(
            _("“%(stage)s”环节的审核时限为 %(due)s，尚未超期，无需催办。")
            % {"stage": step.name, "due": _fmt(step.due_at) if step.due_at else "—"}
        )
    _check_interval(item, now)
    chase = _chase_step(item, step, actor, now)
    if chase is None:
        raise InvalidInput(_("该环节没有可通知的审核人，请联系秘书处处理。"))
    return chase


@transaction.atomic
def chase_item(*, item, actor, receiver=None) -> list[Chase]:
    """Chase one overdue receiver of ``item``, or everything overdue on it
    (its overdue review steps and receivers): one Chase row per step or
    receiver and one notice per recipient (key ``chase:<chase>:<user>``).
    Raises NotAllowed (not the initiator nor an officer of the unit),
    StateConflict (nothing overdue: no step past its limit, and the item not
    waiting for answers or no answer overdue), ChaseTooSoon (within a working
    hour of the last chase), InvalidInput (nobody in the system to notify)."""
    # The item lock serialises two clicks at once: the second sees the first's Chase.
    item = lock_item(item)
    if not is_handler(actor, item):
        raise not_allowed()
    now = timezone.now()
    steps = []
    if receiver is None:
        steps = [
            s for s in ReviewStep.objects.filter(item=item, state=ReviewStep.State.OPEN).order_by("pk")
            if step_is_overdue(s, now)
        ]
    overdue = []
    if item.state == Item.State.TRANSMITTED:
        receivers = item.receivers.select_related("unit", "user", "external_unit", "contact").order_by("pk")
        if receiver is not None:
            receivers = receivers.filter(pk=receiver.pk)
        overdue = [r for r in receivers if is_overdue(r, now)]
    elif not steps:
        raise StateConflict(_("信息 %(number)s 当前不在待反馈状态，无需催办。") % {"number": item.number or ""})
    if not overdue and not steps:
        raise StateConflict(_("没有超期未反馈的接收方，无需催办。"))

    _check_interval(item, now)

    targets = [(r, recipients_of(r)) for r in overdue]
    targets = [(r, people) for r, people in targets if people]
    chases = [c for c in (_chase_step(item, s, actor, now) for s in steps) if c is not None]
    chases += [_chase_receiver(item, r, people, actor, now) for r, people in targets]
    if not chases:
        raise InvalidInput(_("超期的接收方在系统中没有可通知的人员，请电话催办并记录进展。"))
    return chases
