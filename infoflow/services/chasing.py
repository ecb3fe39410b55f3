"""Chasing (催办): the initiator reminds a receiver of an overdue answer by hand.

One click on the item page sends a notice to the receiving unit's head and
active officers (or to the person receiver). At most once per *working* hour
per item: the time since the item's last chase is measured with
``liaison.workdays.working_time_between``, so a chase at 11:50 cannot be
repeated at 13:40 (20 working minutes later, across lunch), nor after hours.
"""
import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.errors import ChaseTooSoon, InvalidInput, StateConflict
from officers.models import Officer

from ..models import Chase, Item, Receiver
from ..permissions import is_handler
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


def can_chase(user, item) -> bool:
    """Who may chase: the initiator or an active officer of the originating unit."""
    return item.state == Item.State.TRANSMITTED and is_handler(user, item)


def recipients_of(receiver):
    """The people a chase about ``receiver`` goes to (active users only)."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if receiver.kind == Receiver.Kind.USER:
        ids = {receiver.user_id}
    elif receiver.kind == Receiver.Kind.UNIT:
        ids = set(
            Officer.objects.filter(unit_id=receiver.unit_id, status=Officer.Status.ACTIVE).values_list(
                "user_id", flat=True
            )
        )
        if receiver.unit.head_id:
            ids.add(receiver.unit.head_id)
    else:
        # External units and all staff are chased by telephone; nobody in the system to notify.
        ids = set()
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def _fmt(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@transaction.atomic
def chase_item(*, item, actor, receiver=None) -> list[Chase]:
    """Chase one overdue receiver of ``item`` (or every overdue one): one
    Chase row per receiver and one notice per recipient (key
    ``chase:<chase>:<user>``). Raises NotAllowed (not the initiator nor an
    officer of the unit), StateConflict (not waiting for answers, or nothing
    overdue), ChaseTooSoon (within a working hour of the last chase),
    InvalidInput (nobody in the system to notify)."""
    from liaison.notifications import notify
    from liaison.workdays import add_working_time, working_time_between

    # The item lock serialises two clicks at once: the second sees the first's Chase.
    item = lock_item(item)
    if not is_handler(actor, item):
        raise not_allowed()
    if item.state != Item.State.TRANSMITTED:
        raise StateConflict(_("信息 %(number)s 当前不在待反馈状态，无需催办。") % {"number": item.number or ""})
    now = timezone.now()
    receivers = item.receivers.select_related("unit", "user", "external_unit", "contact").order_by("pk")
    if receiver is not None:
        receivers = receivers.filter(pk=receiver.pk)
    overdue = [r for r in receivers if is_overdue(r, now)]
    if not overdue:
        raise StateConflict(_("没有超期未反馈的接收方，无需催办。"))

    last = Chase.objects.filter(item=item).order_by("-sent_at").first()
    if last is not None and working_time_between(last.sent_at, now) < CHASE_INTERVAL:
        raise ChaseTooSoon(
            _("该信息已于 %(last)s 催办过，每条信息每个工作小时最多催办一次，请于 %(next)s 后再催办。")
            % {"last": _fmt(last.sent_at), "next": _fmt(add_working_time(last.sent_at, CHASE_INTERVAL))}
        )

    targets = [(r, recipients_of(r)) for r in overdue]
    targets = [(r, people) for r, people in targets if people]
    if not targets:
        raise InvalidInput(_("超期的接收方在系统中没有可通知的人员，请电话催办并记录进展。"))

    url = reverse("infoflow:item-detail", args=[item.pk])
    sender = actor.get_full_name() or actor.username
    chases = []
    for r, people in targets:
        chase = Chase.objects.create(item=item, receiver=r, sent_by=actor, sent_at=now, recipients=len(people))
        due = r.answer_due_at or r.response_due_at
        for person in people:
            notify(
                recipient=person,
                key="chase:%d:%d" % (chase.pk, person.pk),
                kind="chase",
                subject=_("催办：信息 %(number)s 的反馈已超期") % {"number": item.number or ""},
                body=_("%(sender)s 催办信息 %(number)s（接收方：%(receiver)s），反馈时限 %(due)s 已过，请尽快签收并反馈处理结果。")
                % {"sender": sender, "number": item.number or "", "receiver": r.label, "due": _fmt(due) if due else "—"},
                url=url,
                item=item,
                confidentiality=item.confidentiality,
                due=due,
            )
        chases.append(chase)
    return chases
