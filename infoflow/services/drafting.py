"""Drafting (发起): create and edit items, their receivers and attachments.

``fields`` is a dict of Item field names (the form's cleaned data); unknown
keys are refused so a typo does not pass silently. ``receivers`` is a list of
dicts ``{"kind": "unit"|"user"|"all_staff"|"external", "unit"|"user"|
"external_unit"|"contact": object or pk}``. An item for all staff gets the
flag ``to_all_staff`` from its receivers, and a notice (kind "notice") needs
no answer.
"""
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from liaison.errors import InvalidInput, StateConflict
from officers.models import ExternalContact, ExternalUnit, OrgUnit
from officers.roles import roles_of
from publication.services import edits  # reviewers' edits kept as diffs (issue 16)

from .. import extensions
from ..files import inspect_upload
from ..models import (
    Attachment,
    Category,
    Confidentiality,
    Direction,
    Item,
    Kind,
    Receiver,
    ReleaseChannel,
    TransmissionMethod,
    Urgency,
)
from ..permissions import can_edit, can_receive, is_handler, sync_item_grants
from . import lock_item, not_allowed, require_state, save_with_history

TEXT_FIELDS = {"subject", "summary", "remarks", "project"}
CHOICE_FIELDS = {
    "direction": Direction,
    "kind": Kind,
    "confidentiality": Confidentiality,
    "urgency": Urgency,
}
FLAG_FIELDS = {"is_major", "has_legal_effect", "needs_coordination", "needs_answer"}
MOMENT_FIELDS = {"expected_feedback_at", "planned_release_at"}
LIST_FIELDS = {"transmission_methods": TransmissionMethod, "release_channels": ReleaseChannel}
EDITABLE_FIELDS = TEXT_FIELDS | set(CHOICE_FIELDS) | FLAG_FIELDS | MOMENT_FIELDS | set(LIST_FIELDS) | {
    "category", "event_date"}


def _allowed_codes(item, name) -> set:
    """The codes a list field accepts: release channels are data the
    secretariat keeps (infoflow.extensions.release_channels; the active ones,
    plus those the item already names), the others their fixed lists."""
    if name == "release_channels":
        channels = extensions.release_channels(active_only=True)
        if channels is not None:
            return {code for code, _name in channels} | set(item.channels_list)
    return set(LIST_FIELDS[name].values)


def _pk(value):
    return getattr(value, "pk", value)


def apply_fields(item, fields: dict):
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"unknown item fields: {sorted(unknown)}")
    for name, value in fields.items():
        if name in TEXT_FIELDS:
            # NUL cannot be stored in PostgreSQL text and never belongs in a message.
            setattr(item, name, (value or "").replace("\x00", "").strip())
        elif name in CHOICE_FIELDS:
            if value not in CHOICE_FIELDS[name].values:
                raise InvalidInput(_("“%(field)s”的取值无效。") % {"field": Item._meta.get_field(name).verbose_name})
            if name == "direction" and value == Direction.INCOMING:
                raise InvalidInput(_("收文请由秘书处在收文登记中录入。"))
            setattr(item, name, value)
        elif name in FLAG_FIELDS:
            setattr(item, name, bool(value))
        elif name in LIST_FIELDS:
            codes = value.split(",") if isinstance(value, str) else list(value or ())
            codes = [c for c in dict.fromkeys(c.strip() for c in codes) if c]
            if any(c not in _allowed_codes(item, name) for c in codes):
                raise InvalidInput(_("“%(field)s”的取值无效。") % {"field": Item._meta.get_field(name).verbose_name})
            setattr(item, name, ",".join(codes))
        elif name == "category":
            category = None
            if value not in (None, ""):
                category = Category.objects.filter(pk=_pk(value), is_active=True).first()
                if category is None:
                    raise InvalidInput(_("所选信息类别不存在或已停用。"))
            item.category = category
        else:  # event_date, moments
            setattr(item, name, value or None)
    if item.kind == Kind.NOTICE:
        item.needs_answer = False
    if not item.needs_answer:
        item.expected_feedback_at = None
    if len(item.subject) > Item._meta.get_field("subject").max_length:
        raise InvalidInput(_("信息主题不能超过 200 字。"))


def _receiver_from(spec: dict) -> Receiver:
    kind = spec.get("kind")
    User = get_user_model()
    if kind == Receiver.Kind.UNIT:
        unit = OrgUnit.objects.filter(pk=_pk(spec.get("unit")), is_active=True).first()
        if unit is None:
            raise InvalidInput(_("所选接收部门不存在或已停用。"))
        return Receiver(kind=kind, unit=unit)
    if kind == Receiver.Kind.USER:
        user = User.objects.filter(pk=_pk(spec.get("user")), is_active=True).first()
        if user is None:
            raise InvalidInput(_("所选接收人不存在或已停用。"))
        return Receiver(kind=kind, user=user)
    if kind == Receiver.Kind.ALL_STAFF:
        return Receiver(kind=kind)
    if kind == Receiver.Kind.EXTERNAL:
        external = ExternalUnit.objects.filter(pk=_pk(spec.get("external_unit")), is_active=True).first()
        if external is None:
            raise InvalidInput(_("所选外部单位不存在或已停用。"))
        contact = None
        if spec.get("contact"):
            contact = ExternalContact.objects.filter(pk=_pk(spec["contact"]), external_unit=external).first()
            if contact is None:
                raise InvalidInput(_("所选联系人不属于外部单位 %(unit)s。") % {"unit": external.name})
        return Receiver(kind=kind, external_unit=external, contact=contact)
    raise InvalidInput(_("接收方类型无效。"))


def _receiver_key(r):
    return (r.kind, r.unit_id, r.user_id, r.external_unit_id, r.contact_id)


def set_receivers(item, receivers, actor):
    """Replace the (not yet sent) receivers of an item."""
    wanted = []
    seen = set()
    for spec in receivers:
        receiver = _receiver_from(spec)
        key = _receiver_key(receiver)
        if key not in seen:
            seen.add(key)
            wanted.append(receiver)
    current = {_receiver_key(r): r for r in item.receivers.all()}
    for key, receiver in current.items():
        if key not in seen:
            receiver._history_user = actor
            receiver._change_reason = "edit"
            receiver.delete()
    for receiver in wanted:
        if _receiver_key(receiver) not in current:
            receiver.item = item
            save_with_history(receiver, actor, "edit")
    item.to_all_staff = any(r.kind == Receiver.Kind.ALL_STAFF for r in wanted)


def may_draft_for(user, unit) -> bool:
    roles = roles_of(user)
    return unit.pk in roles.officer_unit_ids or unit.pk in roles.headed_unit_ids or roles.is_secretariat


@transaction.atomic
def create_item(*, actor, unit, fields: dict, receivers: list[dict], files=()) -> Item:
    """A new draft for ``unit`` by an officer or head of that unit (or the
    secretariat). No number yet: numbers are given at submission. Raises
    NotAllowed, InvalidInput, AttachmentRejected."""
    unit = unit if isinstance(unit, OrgUnit) else OrgUnit.objects.get(pk=unit)
    if not may_draft_for(actor, unit):
        raise not_allowed()
    item = Item(unit=unit, initiator=actor, subject="", summary="")
    apply_fields(item, fields)
    if not item.subject:
        raise InvalidInput(_("请填写信息主题。"))
    save_with_history(item, actor, "create")
    set_receivers(item, receivers, actor)
    if item.to_all_staff:
        save_with_history(item, actor, "create", update_fields=["to_all_staff"])
    for upload in files:
        _store(item=item, actor=actor, upload=upload, purpose=Attachment.Purpose.ITEM)
    sync_item_grants(item)
    return item


@transaction.atomic
def update_item(*, item, actor, fields: dict, receivers=None) -> Item:
    """Edit a draft, returned or withdrawn item (its handlers), or the text
    during an open "may edit" review stage (that stage's reviewer; the change
    is kept in the history). Raises StateConflict, NotAllowed, InvalidInput."""
    item = lock_item(item)
    if item.state not in (Item.State.DRAFT, Item.State.RETURNED, Item.State.WITHDRAWN, Item.State.IN_REVIEW):
        require_state(item, Item.State.DRAFT, Item.State.RETURNED, Item.State.WITHDRAWN)
    if not can_edit(actor, item):
        raise not_allowed()
    if item.state == Item.State.IN_REVIEW and (receivers is not None or set(fields) - TEXT_FIELDS):
        # The initial reviewer corrects wording; what is sent where stays the initiator's call.
        raise InvalidInput(_("审核中只能修改信息主题、内容摘要、备注和项目。"))
    if item.number and "direction" in fields and fields["direction"] != item.direction:
        raise InvalidInput(_("已编号的信息不能更改方向。"))
    before = {name: getattr(item, name) for name in edits.DIFF_FIELDS}
    apply_fields(item, fields)
    if not item.subject:
        raise InvalidInput(_("请填写信息主题。"))
    if receivers is not None:
        set_receivers(item, receivers, actor)
    save_with_history(item, actor, "edit" if is_handler(actor, item) else "reviewer_edit")
    # A reviewer's change is kept as a diff and the submitter told (seed 002, issue 16).
    edits.record_text_edits(item=item, actor=actor, before=before)
    return item


def _store(*, item, actor, upload, purpose, receiver=None, transmission=None) -> Attachment:
    info = inspect_upload(upload)
    attachment = Attachment(
        item=item,
        purpose=purpose,
        receiver=receiver,
        transmission=transmission,
        original_name=(getattr(upload, "name", "") or "file")[-255:],
        content_type=info["content_type"],
        size=info["size"],
        sha256=info["sha256"],
        uploaded_by=actor,
    )
    attachment.file.save("upload", upload, save=False)
    save_with_history(attachment, actor, "upload")
    return attachment


@transaction.atomic
def add_attachment(*, item, actor, upload, purpose="item", receiver=None, transmission=None) -> Attachment:
    """Attach a checked file. Item attachments while the item is editable (its
    handlers); evidence by a handler; answer files by whoever answers for the
    receiver. Raises AttachmentRejected, NotAllowed, StateConflict."""
    item = lock_item(item)
    if purpose not in Attachment.Purpose.values:
        raise InvalidInput(_("附件用途无效。"))
    if purpose == Attachment.Purpose.ANSWER:
        if receiver is None or receiver.item_id != item.pk:
            raise InvalidInput(_("请指明反馈附件所属的接收方。"))
        if not can_receive(actor, receiver):
            raise not_allowed()
    elif purpose == Attachment.Purpose.ITEM:
        if not can_edit(actor, item):
            if item.state not in (Item.State.DRAFT, Item.State.RETURNED, Item.State.WITHDRAWN):
                require_state(item, Item.State.DRAFT, Item.State.RETURNED, Item.State.WITHDRAWN)
            raise not_allowed()
    elif not is_handler(actor, item):
        raise not_allowed()
    stored = _store(item=item, actor=actor, upload=upload, purpose=purpose, receiver=receiver,
                    transmission=transmission)
    if purpose == Attachment.Purpose.ITEM:
        edits.record_attachment_edit(item=item, actor=actor, name=stored.original_name, added=True)
    return stored


@transaction.atomic
def remove_attachment(*, attachment, actor) -> None:
    """Remove an item attachment while the item is editable (the history keeps
    the row). Evidence and answers, once recorded, stay. Raises StateConflict,
    NotAllowed."""
    item = lock_item(attachment.item)
    attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
    if attachment.purpose != Attachment.Purpose.ITEM or item.state not in (
        Item.State.DRAFT, Item.State.RETURNED, Item.State.WITHDRAWN, Item.State.IN_REVIEW
    ):
        raise StateConflict(_("该附件已随信息传递或反馈，不能删除。"))
    if not can_edit(actor, item):
        raise not_allowed()
    edits.record_attachment_edit(item=item, actor=actor, name=attachment.original_name, added=False)
    attachment._history_user = actor
    attachment._change_reason = "remove"
    stored = attachment.file.name
    attachment.delete()
    storage = attachment.file.storage
    transaction.on_commit(lambda: storage.delete(stored))
