"""Reviewers' edits kept as diffs (seed 002 §三(二): the information centre's
initial review corrects the wording; issue 16 item 1).

infoflow's drafting services call these inside their own transaction, with
the item already locked and the reviewer's right checked (``can_edit``: the
assignee of an open "may edit" stage), right after the change is saved. Each
changed field or attachment becomes an ItemEdit (before, after, who, when, at
which stage) shown as a diff in the item's timeline and sealed into the
archived snapshot; the submitter is told through the outbox."""
from __future__ import annotations

from django.utils import timezone

from infoflow.models import Item, ReviewStep

from .. import notices
from ..models import ItemEdit

# The text a reviewer may change that is kept as a diff (the other text
# fields, remarks and project, stay in the item's history only).
DIFF_FIELDS = ("subject", "summary")


def is_review_edit(item: Item) -> bool:
    """True while the item is in review: an edit now is a reviewer's edit."""
    return item.state == Item.State.IN_REVIEW


def _stage_name(item: Item) -> str:
    step = ReviewStep.objects.filter(item=item, review_round=item.review_round,
                                     stage_index=item.current_stage).only("name").first()
    return step.name if step else ""


def record_text_edits(*, item: Item, actor, before: dict) -> list[ItemEdit]:
    """Record the reviewer's changes of ``DIFF_FIELDS`` (``before``: field →
    old text) on the locked, saved ``item``; tell the submitter. Returns the
    rows written (none when nothing kept as a diff changed)."""
    if not is_review_edit(item):
        return []
    now = timezone.now()
    stage = _stage_name(item)
    edits = [
        ItemEdit(item=item, field=name, before=before.get(name) or "", after=getattr(item, name) or "",
                 stage_name=stage, edited_by=actor, edited_at=now)
        for name in DIFF_FIELDS
        if (before.get(name) or "") != (getattr(item, name) or "")
    ]
    if edits:
        edits = ItemEdit.objects.bulk_create(edits)
        notices.item_edited(item, edits, actor=actor)
    return edits


def record_attachment_edit(*, item: Item, actor, name: str, added: bool) -> ItemEdit | None:
    """Record a reviewer adding or removing an attachment (``name``: the file's
    original name) on the locked ``item``; tell the submitter."""
    if not is_review_edit(item):
        return None
    edit = ItemEdit.objects.create(
        item=item, field=ItemEdit.Field.ATTACHMENT_ADDED if added else ItemEdit.Field.ATTACHMENT_REMOVED,
        before="" if added else name, after=name if added else "", stage_name=_stage_name(item),
        edited_by=actor, edited_at=timezone.now(),
    )
    notices.item_edited(item, [edit], actor=actor)
    return edit
