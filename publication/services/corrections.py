"""Corrections and retractions (更正 / 撤回, issue 16 item 7).

A correction is a new item (a draft of the original's unit, same kind and
confidentiality) linked to the original and, when the original is archived,
to its archived record. It goes through its route like any item and is
released like one. The archived record is never changed: its page shows the
link (publication.selectors.corrections_of_record). On the bulletin the
original carries a notice once the correction is approved."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from archive.models import ArchivedRecord
from infoflow.models import Item
from infoflow.permissions import is_handler
from infoflow.services import drafting, lock_item, not_allowed, save_with_history
from infoflow.visibility import can_view
from liaison.errors import InvalidInput, StateConflict

from .. import notices
from ..models import Correction
from ..selectors import is_publisher
from .release import RELEASABLE_STATES


def may_correct(user, item: Item) -> bool:
    """The secretariat, or the original's handlers (its initiator and unit's officers)."""
    return can_view(user, item) and (is_publisher(user) or is_handler(user, item))


@transaction.atomic
def create_correction(*, actor, original: Item, kind: str, subject: str, summary: str) -> Correction:
    """Register a correction or retraction of a released item: a new draft
    item (to be submitted through its route) linked to ``original`` and its
    archived record if any. Raises NotAllowed, StateConflict (original not
    released yet, or itself a correction being retracted twice), InvalidInput."""
    original = lock_item(original)
    if not may_correct(actor, original):
        raise not_allowed()
    if kind not in Correction.Kind.values:
        raise InvalidInput(_("请选择更正或撤回。"))
    # A release plan alone makes a Release row: the original must have gone out on a channel.
    released = getattr(getattr(original, "release", None), "first_released_at", None)
    if original.state not in RELEASABLE_STATES or released is None:
        raise StateConflict(_("只能更正或撤回已发布的信息。"))
    if kind == Correction.Kind.RETRACTION and Correction.objects.filter(
        original=original, kind=Correction.Kind.RETRACTION
    ).exists():
        raise StateConflict(_("该信息已登记撤回。"))
    subject = (subject or "").strip()
    if not subject:
        raise InvalidInput(_("请填写信息主题。"))
    # The correction reaches whoever the original reached (the same receivers; editable in the draft).
    receivers = [{"kind": r.kind, "unit": r.unit_id, "user": r.user_id, "external_unit": r.external_unit_id,
                  "contact": r.contact_id} for r in original.receivers.all()]
    item = drafting.create_item(
        actor=actor, unit=original.unit, receivers=receivers,
        fields={"subject": subject, "summary": (summary or "").strip(), "kind": original.kind,
                "confidentiality": original.confidentiality, "category": original.category,
                "release_channels": original.release_channels, "needs_answer": False},
    )
    record = ArchivedRecord.objects.filter(item=original).first()
    correction = Correction(kind=kind, item=item, original=original, original_record=record, created_by=actor)
    save_with_history(correction, actor, "create")
    notices.correction_linked(correction, actor=actor)
    return correction
