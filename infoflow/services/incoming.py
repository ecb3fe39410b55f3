"""Incoming documents (收文): registered by the secretariat, assigned to
departments and tracked to an answer like any transmitted item.

An incoming document has no review: it is registered straight into
"transmitted" with each assigned department as a receiver, so the
departments acknowledge and answer it in their inbox. It is numbered in its
own sequence (``SW-<year>-<seq>``, 收文), apart from the office's outgoing
items.
"""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.errors import InvalidInput
from officers.models import OrgUnit

from ..models import Attachment, Direction, Item, Transmission, TransmissionMethod
from ..permissions import can_register_incoming, sync_item_grants
from . import not_allowed, save_with_history
from .delivery import _send_receivers
from .drafting import _store, apply_fields, set_receivers
from .numbering import next_number

INCOMING_PREFIX = "SW"  # 收文


@transaction.atomic
def register_incoming(*, actor, fields, source_name, source_reference, received_at, unit_ids, files=()) -> Item:
    """Register a document received from government, a superior or an outside
    unit and assign it to ``unit_ids``. ``fields`` as for ``create_item``
    (subject, summary, urgency, category, confidentiality, needs_answer,
    expected_feedback_at…) plus optionally ``unit`` (the registering unit,
    default the actor's own). Raises NotAllowed (not the secretariat),
    InvalidInput, AttachmentRejected. Schedules "registered"."""
    if not can_register_incoming(actor):
        raise not_allowed()
    fields = dict(fields)
    unit = fields.pop("unit", None)
    if unit is None:
        unit = OrgUnit.objects.filter(staff__user=actor).first()
    elif not isinstance(unit, OrgUnit):
        unit = OrgUnit.objects.filter(pk=unit).first()
    if unit is None:
        raise InvalidInput(_("请指定登记收文的单位。"))
    if not (source_name or "").strip():
        raise InvalidInput(_("请填写来文单位。"))
    unit_ids = [u for u in dict.fromkeys(getattr(u, "pk", u) for u in unit_ids or ()) if u]
    if not unit_ids:
        raise InvalidInput(_("请选择至少一个承办部门。"))
    now = timezone.now()
    if received_at is None:
        raise InvalidInput(_("请填写收文时间。"))
    if received_at > now:
        raise InvalidInput(_("收文时间不能晚于当前时间。"))

    item = Item(unit=unit, initiator=actor, subject="", summary="", direction=Direction.INCOMING)
    fields.pop("direction", None)
    apply_fields(item, fields)
    if not item.subject or not item.summary:
        raise InvalidInput(_("请填写信息主题和内容摘要。"))
    if item.needs_answer:
        if item.expected_feedback_at is None:
            raise InvalidInput(_("请填写预计反馈时间（具体日期和时间）。"))
        if item.expected_feedback_at <= now:
            raise InvalidInput(_("预计反馈时间须晚于当前时间。"))
    item.direction = Direction.INCOMING
    item.source_name = source_name.strip()
    item.source_reference = (source_reference or "").strip()
    item.received_at = received_at
    item.route_name = str(_("收文登记"))
    item.submitted_at = now
    item.approved_at = now
    save_with_history(item, actor, "register")
    set_receivers(item, [{"kind": "unit", "unit": pk} for pk in unit_ids], actor)
    for upload in files:
        _store(item=item, actor=actor, upload=upload, purpose=Attachment.Purpose.ITEM)

    item.number = next_number(INCOMING_PREFIX, timezone.localtime(now).year)
    transmission = Transmission(item=item, methods=TransmissionMethod.SYSTEM, sent_at=now, sent_by=actor,
                                note=str(_("收文分办")))
    save_with_history(transmission, actor, "register")
    item.transmission_methods = TransmissionMethod.SYSTEM
    item.transmitted_at = now
    item.state = Item.State.TRANSMITTED
    save_with_history(item, actor, "register")
    _send_receivers(item, actor, now)
    sync_item_grants(item)
    return item
