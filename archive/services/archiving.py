"""Archiving (归档): number, classify, snapshot, copy the attachments, seal.

``archive_item`` archives one item in one transaction; ``archive_items``
archives several in one transaction through the same code, sharing the
lookups (the items and everything their snapshots read in a few queries, the
retention table, the counters and the chain's head), for building archives
in bulk (bench/http.py) without one round of some 30 queries per record.

The ``chain`` counter row is locked first (SELECT … FOR UPDATE): it
serialises archiving, so the chain stays one line, the year's numbers have
no gaps and two workers never archive one item twice (the second finds the
record the first committed). Lock order: chain counter, then the items, then
the year counters.
"""
import hashlib
import logging
from collections.abc import Iterable

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infoflow.models import Direction, Item
from liaison import audit
from liaison.errors import ArchiveNotAllowed, ArchiveStateConflict
from liaison.workdays import add_working_days
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
from ..snapshot import build, linked_meetings, related, search_text_of

log = logging.getLogger(__name__)

# Used only when the organisation's retention table has no matching row
# (domain "Archive": normal 1 year, important 3–5 years, restricted by rule).
FALLBACK_RETENTION = {Importance.NORMAL: Retention.D1, Importance.IMPORTANT: Retention.D5,
                      Importance.RESTRICTED: Retention.D10}


def importance_for(item, lookups=None) -> str:
    """Restricted items stay restricted; contracts, legal documents, major
    matters and letters to or from a regulator are important."""
    if item.confidentiality == "restricted":
        return Importance.RESTRICTED
    if item.has_legal_effect or item.is_major or item.kind == "legal":
        return Importance.IMPORTANT
    if _unit_type(item, lookups) == ExternalUnit.Kind.REGULATOR:
        return Importance.IMPORTANT
    return Importance.NORMAL


def retention_for(category_id, importance, lookups=None) -> str:
    """The retention code of the organisation's table for (category,
    importance): the category's row, else the row for every category, else
    FALLBACK_RETENTION. ``lookups`` (an archive_items batch) remembers the
    table's rows of each importance."""
    rules = lookups.rules.get(importance) if lookups is not None else None
    if rules is None:
        rules = {
            c: r for c, r in RetentionRule.objects.filter(importance=importance).values_list("category_id", "retention")
        }
        if lookups is not None:
            lookups.rules[importance] = rules
    if category_id in rules:
        return rules[category_id]
    if None in rules:
        return rules[None]
    return FALLBACK_RETENTION[importance]


def _unit_type(item, lookups=None) -> str:
    """The kind of external unit the item went to (its first receiver that is
    one) or came from (the unit named as its source); "" for internal items."""
    if item.direction == Direction.EXTERNAL:
        if "receivers" in getattr(item, "_prefetched_objects_cache", {}):  # loaded with snapshot.related()
            kind = next((r.external_unit.kind for r in sorted(item.receivers.all(), key=lambda r: r.pk)
                         if r.external_unit_id is not None), None)
        else:
            kind = (
                item.receivers.filter(external_unit__isnull=False)
                .order_by("pk")
                .values_list("external_unit__kind", flat=True)
                .first()
            )
        return kind or ExternalUnit.Kind.OTHER
    if item.direction == Direction.INCOMING:
        kinds = lookups.kinds if lookups is not None else {}
        if item.source_name not in kinds:
            kinds[item.source_name] = (
                ExternalUnit.objects.filter(name=item.source_name).values_list("kind", flat=True).first())
        return kinds[item.source_name] or ExternalUnit.Kind.OTHER
    return ""


def classification_for(item, completed_at, lookups=None):
    """(unit_type, top, middle, year-month): internal department → project →
    date; external and incoming unit type → matter → date."""
    month = timezone.localtime(completed_at).strftime("%Y-%m")
    if item.direction == Direction.INTERNAL:
        return "", item.unit.name, item.project or _("未分项目"), month
    unit_type = _unit_type(item, lookups)
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


class _Batch:
    """What the records of one transaction share: the locked chain counter,
    the year counters locked on first use, the chain's head (the previous
    link's seal, carried from record to record), the retention table and
    the senders' unit types read once. The counters are written back by
    save(), before the transaction commits."""

    def __init__(self, chain):
        self.chain = chain
        self.counters = {}  # key → locked ArchiveCounter
        self.rules = {}  # importance → {category id: retention}
        self.kinds = {}  # source name → ExternalUnit kind or None
        self.prev = None
        self.written = []  # names of the files copied into storage

    def take(self, counter_key, start) -> int:
        counter = self.counters.get(counter_key)
        if counter is None:
            counter, _created = ArchiveCounter.objects.select_for_update().get_or_create(
                key=counter_key, defaults={"last": start}
            )
            self.counters[counter_key] = counter
        counter.last += 1
        return counter.last

    def previous_seal(self) -> str:
        if self.prev is None:
            _position, self.prev = S.chain_head()
        return self.prev

    def save(self):
        for counter in self.counters.values():
            counter.save(update_fields=["last"])
        self.chain.save(update_fields=["last"])


def _copy_attachments(item, record_stub, written):
    files = []
    for index, att in enumerate(item.attachments.all(), 1):
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


def _copy_minutes(item, record_stub, written, first_index):
    """The archive's copies of the minutes files of the meetings linked to
    ``item`` (seed 004: a coordination meeting's minutes go into the item's
    record), numbered on from ``first_index``; [(ArchivedFile, Meeting)]."""
    copies = []
    index = first_index
    for meeting in linked_meetings(item):
        if not meeting.minutes_file:
            continue
        index += 1
        try:
            with meeting.minutes_file.open("rb") as fh:
                data = fh.read()
        except (FileNotFoundError, OSError, ValueError):
            data = b""
        guess = filetype.guess(data[:8192]) if data else None
        name_only = meeting.minutes_file.name.rsplit("/", 1)[-1]
        archived = ArchivedFile(
            record=record_stub, index=index, purpose="minutes", original_name=name_only,
            recorded_type=guess.mime if guess else "application/octet-stream",
            detected_type=guess.mime if guess else "", size=len(data), sha256=hashlib.sha256(data).hexdigest(),
        )
        name = default_storage.save(archived.file.field.generate_filename(archived, name_only), ContentFile(data))
        written.append(name)
        archived.file.name = name
        copies.append((archived, meeting))
    return copies


def archive_item(*, item, actor=None, importance=None, paper_location="") -> ArchivedRecord:
    """Archive a completed item: number, classification, retention, snapshot,
    copies of its attachments, seal; the item becomes ARCHIVED with its
    archive number. ``actor`` None is the automatic sweep. Returns the record;
    an item already archived returns its record unchanged (idempotent).
    Raises ArchiveNotAllowed (not the secretariat), ArchiveStateConflict
    (item not completed)."""
    return archive_items(items=[item], actor=actor, importance=importance, paper_location=paper_location)[0]


@transaction.atomic
def archive_items(*, items: Iterable[Item | int], actor=None, importance=None,
                  paper_location="") -> list[ArchivedRecord]:
    """Archive several completed items in one transaction, each as
    archive_item() does (the same code, record after record, in the order
    given): ``items`` are Item instances or ids; returns their records in that
    order (an item's existing record if it was archived already). The
    snapshots' rows are read for all the items at once (snapshot.related()),
    the retention table and the counters once. One item not completed raises
    ArchiveStateConflict and archives none; ArchiveNotAllowed as
    archive_item()."""
    if actor is not None and not can_archive(actor):
        raise ArchiveNotAllowed(_("只有秘书处可以提前归档。"))
    wanted = [getattr(item, "pk", item) for item in items]
    pks = list(dict.fromkeys(wanted))
    chain, _created = ArchiveCounter.objects.select_for_update().get_or_create(key="chain")
    records = {record.item_id: record for record in ArchivedRecord.objects.filter(item_id__in=pks)}
    to_archive = [pk for pk in pks if pk not in records]
    if to_archive:
        loaded = {item.pk: item for item in (
            Item.objects.select_for_update(of=("self",)).select_related("unit", "category", "initiator")
            .prefetch_related(*related()).filter(pk__in=to_archive)
        )}
        batch = _Batch(chain)
        try:
            for pk in to_archive:
                item = loaded.get(pk)
                if item is None:
                    raise Item.DoesNotExist("Item %s does not exist." % pk)
                records[pk] = _archive_one(item, batch, actor, importance, paper_location)
            batch.save()
        except BaseException:
            for name in batch.written:  # the copies of the records rolled back with this transaction
                default_storage.delete(name)
            raise
    return [records[pk] for pk in wanted]


def _archive_one(item, batch, actor, importance, paper_location) -> ArchivedRecord:
    """One record of archive_items(), inside its transaction, the item locked."""
    if item.state != Item.State.COMPLETED:
        raise ArchiveStateConflict(
            _("信息 %(number)s 尚未办结，不能归档。") % {"number": item.number or item.subject}
        )
    now = timezone.now()
    completed_at = item.completed_at or now
    year = timezone.localtime(completed_at).year
    importance = importance or importance_for(item, batch)
    retention = retention_for(item.category_id, importance, batch)
    unit_type, top, middle, month = classification_for(item, completed_at, batch)
    # Sequences start at 1001 (domain: ND-2024-1001), so numbers keep four digits.
    sequence = batch.take("ND-%d" % year, 1000)
    number = "ND-%d-%d" % (year, sequence)
    batch.chain.last += 1

    record = ArchivedRecord(
        item=item, number=number, year=year, sequence=sequence, position=batch.chain.last,
        fonds_code=fonds_code(year, retention, sequence), direction=item.direction, unit=item.unit,
        unit_type=unit_type, category_id=item.category_id, class_top=top[:100], class_mid=middle[:100],
        class_date=month, subject=item.subject, importance=importance, confidentiality=item.confidentiality,
        completed_at=completed_at, archived_at=now, archived_by=actor, paper_location=paper_location,
        initial_retention=retention, retention=retention, retention_until=retention_end(completed_at, retention),
    )
    written = batch.written
    first_written = len(written)
    try:
        files = _copy_attachments(item, record, written)
        minutes = _copy_minutes(item, record, written, len(files))
        snapshot = build(item, [
            {"index": f.index, "purpose": f.purpose, "original_name": f.original_name,
             "recorded_type": f.recorded_type, "detected_type": f.detected_type, "size": f.size,
             "sha256": f.sha256, "file": f.file.name,
             "uploaded_sha256": a.sha256, "uploaded_at": S.ts(a.uploaded_at), "uploaded_by": a.uploaded_by_id,
             "uploaded_by_label": a.uploaded_by.get_full_name() or a.uploaded_by.get_username()}
            for f, a in zip(files, item.attachments.all())
        ] + [
            {"index": f.index, "purpose": f.purpose, "original_name": f.original_name,
             "recorded_type": f.recorded_type, "detected_type": f.detected_type, "size": f.size,
             "sha256": f.sha256, "file": f.file.name, "meeting": m.pk,
             "uploaded_sha256": f.sha256, "uploaded_at": S.ts(m.minutes_at), "uploaded_by": m.organiser_id,
             "uploaded_by_label": m.organiser.get_full_name() or m.organiser.get_username()}
            for f, m in minutes
        ])
        files += [f for f, _m in minutes]
        record.content = S.canonical(snapshot)
        record.content_sha256 = S.sha256_text(record.content)
        record.search_text = search_text_of(snapshot)
        record.file_count = len(files)
        record.seal = S.record_seal(S.seal_key(), batch.previous_seal(), record)
        record.save()
        for f in files:
            f.record = record
            f.save()
    except BaseException:
        for name in written[first_written:]:
            default_storage.delete(name)
        del written[first_written:]
        raise
    batch.prev = record.seal

    item.state = Item.State.ARCHIVED
    item.archive_number = number
    item._history_user = actor
    item._change_reason = "archive"
    item.save(update_fields=["state", "archive_number"])

    audit.record(audit.Action.OTHER, user=actor, obj=record, detail="archive %s" % number,
                 username="" if actor else "system")
    return record


def items_due(now=None):
    """Completed, not yet archived items whose working days after completion are up."""
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
