"""Archiving (归档): number, classify, snapshot, copy the attachments, seal.

One transaction per item. The ``chain`` counter row is locked first
(SELECT … FOR UPDATE): it serialises archiving, so the chain stays one line,
the year's numbers have no gaps and two workers never archive one item twice
(the second finds the record the first committed). Lock order: chain counter,
then year counter, then the item.
"""
import hashlib
import logging

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infoflow.models import Direction, Item
from liaison.errors import ArchiveNotAllowed, ArchiveStateConflict
from officers.models import ExternalUnit

from .. import seal as S
from ..models import (
    ArchiveCounter,
    ArchivedFile,
    ArchivedRecord,
    Importance,
    Retention,
    RetentionRule,
    retention_end,
)
from ..permissions import can_archive
from ..snapshot import build, search_text_of

log = logging.getLogger(__name__)

# Used only when the organisation's retention table has no matching row
# (domain "Archive": normal 1 year, important 3–5 years, restricted by rule).
FALLBACK_RETENTION = {Importance.NORMAL: Retention.D1, Importance.IMPORTANT: Retention.D5,
                      Importance.RESTRICTED: Retention.D10}


def importance_for(item) -> str:
    """Restricted items stay restricted; contracts, legal documents, major
    matters and letters to or from a regulator are important."""
    if item.confidentiality == "restricted":
        return Importance.RESTRICTED
    if item.has_legal_effect or item.is_major or item.kind == "legal":
        return Importance.IMPORTANT
    if _unit_type(item) == ExternalUnit.Kind.REGULATOR:
        return Importance.IMPORTANT
    return Importance.NORMAL


def retention_for(category_id, importance) -> str:
    rules = {
        c: r for c, r in RetentionRule.objects.filter(importance=importance).values_list("category_id", "retention")
    }
    if category_id in rules:
        return rules[category_id]
    if None in rules:
        return rules[None]
    return FALLBACK_RETENTION[importance]


def _unit_type(item) -> str:
    if item.direction == Direction.EXTERNAL:
        kind = (
            item.receivers.filter(external_unit__isnull=False)
            .order_by("pk")
            .values_list("external_unit__kind", flat=True)
            .first()
        )
        return kind or ExternalUnit.Kind.OTHER
    if item.direction == Direction.INCOMING:
        kind = ExternalUnit.objects.filter(name=item.source_name).values_list("kind", flat=True).first()
        return kind or ExternalUnit.Kind.OTHER
    return ""


def classification_for(item, completed_at):
    """(unit_type, top, middle, year-month): internal department → project →
    date; external and incoming unit type → matter → date."""
    month = timezone.localtime(completed_at).strftime("%Y-%m")
    if item.direction == Direction.INTERNAL:
        return "", item.unit.name, item.project or _("未分项目"), month
    unit_type = _unit_type(item)
    top = str(dict(ExternalUnit.Kind.choices).get(unit_type, unit_type))
    matter = item.project or (item.category.name if item.category_id else "") or _("未分事项")
    return unit_type, top, matter, month


def fonds_code(year, retention, sequence) -> str:
    """档号 in the DA/T 22 shape 全宗号-WS·年度-保管期限代码-机构代码-件号,
    when the organisation has set its fonds number."""
    fonds = settings.ARCHIVE_FONDS_NUMBER
    if not fonds:
        return ""
    return "%s-WS·%d-%s-%s-%04d" % (fonds, year, retention, settings.ARCHIVE_ORG_CODE, sequence)


def _take(counter_key, start):
    counter, _created = ArchiveCounter.objects.select_for_update().get_or_create(
        key=counter_key, defaults={"last": start}
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _copy_attachments(item, record_stub, written):
    files = []
    for index, att in enumerate(item.attachments.select_related("uploaded_by").order_by("uploaded_at", "pk"), 1):
        try:
            with att.file.open("rb") as fh:
                data = fh.read()
            missing = False
        except (FileNotFoundError, OSError, ValueError):
            data, missing = b"", True
        guess = filetype.guess(data[:8192]) if data else None
        digest = hashlib.sha256(data).hexdigest()
        archived = ArchivedFile(
            record=record_stub, index=index, purpose=att.purpose, original_name=att.original_name,
            recorded_type=att.content_type, detected_type=guess.mime if guess else "",
            size=len(data), sha256=digest,
        )
        name = default_storage.save(archived.file.field.generate_filename(archived, att.original_name), ContentFile(data))
        written.append(name)
        archived.file.name = name
        files.append(archived)
    return files


@transaction.atomic
def archive_item(*, item, actor=None, importance=None, paper_location="") -> ArchivedRecord:
    """Archive a completed item: number, classification, retention, snapshot,
    copies of its attachments, seal; the item becomes ARCHIVED with its
    archive number. ``actor`` None is the automatic sweep. Returns the record;
    an item already archived returns its record unchanged (idempotent).
    Raises ArchiveNotAllowed (not the secretariat), ArchiveStateConflict
    (item not completed)."""
    if actor is not None and not can_archive(actor):
        raise ArchiveNotAllowed(_("只有秘书处可以提前归档。"))
    chain, _created = ArchiveCounter.objects.select_for_update().get_or_create(key="chain")
    existing = ArchivedRecord.objects.filter(item_id=item.pk).first()
    if existing is not None:
        return existing
    item = Item.objects.select_for_update(of=("self",)).select_related("unit", "category").get(pk=item.pk)
    if item.state != Item.State.COMPLETED:
        raise ArchiveStateConflict(
            _("信息 %(number)s 尚未办结，不能归档。") % {"number": item.number or item.subject}
        )
    now = timezone.now()
    completed_at = item.completed_at or now
    year = timezone.localtime(completed_at).year
    importance = importance or importance_for(item)
    retention = retention_for(item.category_id, importance)
    unit_type, top, middle, month = classification_for(item, completed_at)
    # Sequences start at 1001 (domain: ND-2024-1001), so numbers keep four digits.
    sequence = _take("ND-%d" % year, 1000)
    number = "ND-%d-%d" % (year, sequence)
    chain.last += 1
    chain.save(update_fields=["last"])

    record = ArchivedRecord(
        item=item, number=number, year=year, sequence=sequence, position=chain.last,
        fonds_code=fonds_code(year, retention, sequence), direction=item.direction, unit=item.unit,
        unit_type=unit_type, category_id=item.category_id, class_top=top[:100], class_mid=middle[:100],
        class_date=month, subject=item.subject, importance=importance, confidentiality=item.confidentiality,
        completed_at=completed_at, archived_at=now, archived_by=actor, paper_location=paper_location,
        initial_retention=retention, retention=retention, retention_until=retention_end(completed_at, retention),
    )
    written = []
    try:
        files = _copy_attachments(item, record, written)
        snapshot = build(item, [
            {"index": f.index, "purpose": f.purpose, "original_name": f.original_name,
             "recorded_type": f.recorded_type, "detected_type": f.detected_type, "size": f.size,
             "sha256": f.sha256, "file": f.file.name,
             "uploaded_sha256": a.sha256, "uploaded_at": S.ts(a.uploaded_at), "uploaded_by": a.uploaded_by_id,
             "uploaded_by_label": a.uploaded_by.get_full_name() or a.uploaded_by.get_username()}
            for f, a in zip(files, item.attachments.select_related("uploaded_by").order_by("uploaded_at", "pk"))
        ])
        record.content = S.canonical(snapshot)
        record.content_sha256 = S.sha256_text(record.content)
        record.search_text = search_text_of(snapshot)
        record.file_count = len(files)
        _prev_position, prev = S.chain_head()
        record.seal = S.record_seal(S.seal_key(), prev, record)
        record.save()
        for f in files:
            f.record = record
            f.save()
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise

    item.state = Item.State.ARCHIVED
    item.archive_number = number
    item._history_user = actor
    item._change_reason = "archive"
    item.save(update_fields=["state", "archive_number"])

    from liaison import audit

    audit.record(audit.Action.OTHER, user=actor, obj=record, detail="archive %s" % number,
                 username="" if actor else "system")
    return record


def items_due(now=None):
    """Completed, not yet archived items whose working days after completion are up."""
    from liaison.workdays import add_working_days

    now = now or timezone.now()
    days = settings.ARCHIVE_AFTER_WORKING_DAYS
    candidates = Item.objects.filter(
        state=Item.State.COMPLETED, completed_at__isnull=False, completed_at__lte=now
    ).order_by("completed_at", "pk")
    return [item for item in candidates.only("pk", "completed_at") if add_working_days(item.completed_at, days) <= now]


def archive_due_items(now=None):
    """The automatic sweep (beat task and ``archive_due``): one transaction per
    item; returns the records archived now."""
    done = []
    for item in items_due(now):
        try:
            record = archive_item(item=item, actor=None)
        except ArchiveStateConflict:
            continue  # moved on since the query (e.g. archived by the secretariat)
        done.append(record)
        log.info("archived %s as %s", item.pk, record.number)
    return done
