"""The frozen snapshot of an item at archiving: every field of the item and of
its review steps (with assignees' opinions), receivers (receipts and answers),
transmissions (evidence), questions and replies, progress updates and the
attachments (with the SHA-256 of the archive's own copy). Values are plain
JSON: ids with a readable label beside every foreign key, the display text
beside every choice, times in UTC.

Format 2 (issue 10) also stores the labels of the multi-value codes as they
read when sealed (transmission methods, release channels, attachment
purposes), in the organisation's language whatever the archiving user's;
archive.display maps format-1 codes to today's labels instead."""
import re
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch
from django.db.models.fields.files import FieldFile
from django.utils import translation

from infoflow.models import (ITEM_COPIES, Attachment, ProgressUpdate, Question, Receiver, ReviewStep, StepAssignee,
                             Transmission)
from officers.models import Meeting
from publication.diffs import plain_diff
from publication.models import ItemEdit

from .display import channels_label, methods_label, purpose_label
from .seal import ts

CJK = re.compile(r"([\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef])")


def _plain(value):
    if isinstance(value, datetime):
        return ts(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def _label(obj):
    if obj is None:
        return None
    get_full_name = getattr(obj, "get_full_name", None)
    if get_full_name is not None:
        return get_full_name() or obj.get_username()
    return str(obj)


def row(obj, exclude=()):
    out = {}
    for f in obj._meta.concrete_fields:
        if f.name in exclude:
            continue
        value = getattr(obj, f.attname)
        if f.is_relation:
            out[f.name] = value
            if value is not None:
                out[f.name + "_label"] = _label(getattr(obj, f.name))
            continue
        out[f.name] = _plain(value)
        if f.choices and value not in (None, ""):
            out[f.name + "_display"] = str(getattr(obj, "get_%s_display" % f.name)())
    return out


FORMAT = 2


# What a receiver's label (Receiver.label) reads, from a row that names one.
RECEIVER_LABEL = ("receiver__unit", "receiver__user", "receiver__external_unit", "receiver__contact")


def related():
    """What build() reads of an item, for Item querysets' prefetch_related():
    the rows of each relation in the snapshot's order, with the rows their
    labels name (fetched otherwise one query per row). The order is each
    model's own (Meta.ordering), which build() also gets from an item
    loaded without these."""
    return [
        Prefetch("steps", queryset=ReviewStep.objects.order_by("review_round", "stage_index")),
        Prefetch("steps__assignees", queryset=StepAssignee.objects.select_related("user", "decided_by")),
        Prefetch("receivers", queryset=Receiver.objects.select_related(
            "unit", "user", "external_unit", "contact", "acknowledged_by", "answered_by")),
        Prefetch("transmissions", queryset=Transmission.objects.select_related("sent_by")),
        Prefetch("questions", queryset=Question.objects.select_related(
            *RECEIVER_LABEL, "raised_by", "responsible_unit", "replied_by")),
        Prefetch("updates", queryset=ProgressUpdate.objects.select_related(*RECEIVER_LABEL, "posted_by")),
        Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by").order_by("uploaded_at", "pk")),
        # Meetings linked to the item (officers' coordination meetings, seed 004): their minutes go into the record.
        Prefetch("meetings", queryset=Meeting.objects.select_related("organiser").order_by("starts_at", "pk")),
        # Reviewers' edits (publication, seed 002): the final text is sealed with its diffs.
        Prefetch("publication_edits", queryset=ItemEdit.objects.select_related("edited_by").order_by("edited_at", "pk")),
    ]


def linked_meetings(item) -> list:
    """The meetings linked to ``item``, oldest first (the snapshot's order)."""
    return sorted(item.meetings.all(), key=lambda m: (m.starts_at, m.pk))


def build(item, attachments):
    """The snapshot dict; ``attachments`` are dicts describing the archive's
    copies. Labels are written in the organisation's language (settings).
    Reads the item's relations with .all(): load the item with related()
    to read them in a few queries for many items."""
    with translation.override(settings.LANGUAGE_CODE):
        return _build(item, attachments)


def _build(item, attachments):
    steps = []
    # A step's and a receiver's copies of the item's unit, state and flags (infoflow.models.ItemCopies,
    # kept by triggers for the on-time page) are not theirs: the record holds the item's own values once.
    for step in item.steps.all():
        data = row(step, exclude=ITEM_COPIES)
        data["assignees"] = [row(a) for a in step.assignees.all()]
        steps.append(data)
    return {
        "format": FORMAT,
        "item": row(item, exclude=("route_rule",)) | {
            "methods_display": item.methods_display,
            "transmission_methods_display": methods_label(item.transmission_methods),
            "release_channels_display": channels_label(item.release_channels),
        },
        "steps": steps,
        "receivers": [row(r, exclude=ITEM_COPIES) for r in item.receivers.all()],
        "transmissions": [row(t) | {"methods_display": methods_label(t.methods)} for t in item.transmissions.all()],
        "questions": [row(q) for q in item.questions.all()],
        "progress": [row(p) for p in item.updates.all()],
        "attachments": [a | {"purpose_display": purpose_label(a.get("purpose"))} for a in attachments],
        "meetings": [row(m, exclude=("minutes_file",)) for m in linked_meetings(item)],
        # The reviewers' edits as diffs ([-deleted-]{+inserted+}) beside the final text (issue 16).
        "edits": [row(e, exclude=("item",)) | {"diff": plain_diff(e.before, e.after)}
                  for e in sorted(item.publication_edits.all(), key=lambda e: (e.edited_at, e.pk))],
    }


def search_text_of(snapshot):
    """Subject, summary, remarks, opinions, answers and replies, CJK spaced."""
    item = snapshot["item"]
    parts = [item.get("number") or "", item.get("subject", ""), item.get("summary", ""), item.get("remarks", ""),
             item.get("project", ""), item.get("source_name", "")]
    for step in snapshot["steps"]:
        parts.extend(a.get("opinion", "") for a in step["assignees"])
    for r in snapshot["receivers"]:
        parts.extend((r.get("answer_result", ""), r.get("answer_next_steps", "")))
    for q in snapshot["questions"]:
        parts.extend((q.get("text", ""), q.get("reply", "")))
    parts.extend(p.get("text", "") for p in snapshot["progress"])
    parts.extend(t.get("written_record", "") for t in snapshot["transmissions"])
    for m in snapshot.get("meetings", ()):
        parts.extend((m.get("title", ""), m.get("agenda", ""), m.get("minutes_text", "")))
    return spaced(" ".join(p for p in parts if p))


def spaced(text):
    """Put spaces around each CJK character so every character is a token
    (PostgreSQL's "simple" configuration does not segment Chinese); a phrase
    query over the same spacing then finds any run of characters."""
    return " ".join(CJK.sub(r" \1 ", text.lower()).split())
