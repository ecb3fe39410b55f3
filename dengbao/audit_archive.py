"""Export audit rows older than the keep period into sealed archive batches
(issue 18 item 7; 网络安全法 第二十一条（三）: logs kept at least six months,
GB/T 22239-2019 8.1.4.3 d: audit records protected and backed up).

Why the rows are kept, not deleted: the audit log is append-only (the model
and its queryset refuse delete, tests/liaison rely on that) and a hash chain
(archive.seal.seal_audit_entry: each row's HMAC covers the previous row's
seal). Deleting the oldest rows would leave the remaining chain without its
start, so a purge could not be told from tampering. So an export batch marks
rows first_id..last_id as exported (AuditArchiveBatch) and the rows stay;
the export file carries each row's seal plus the seal before the first row
(``prev_seal``), so the exported chain verifies from the file alone.

Batch file: JSONL under MEDIA_ROOT/audit_archive/ (default_storage), one
object per row: id, the sealed fields (archive.seal.AUDIT_FIELDS, time as
UTC ISO text to the millisecond) and seal. Its SHA-256 and an HMAC seal
(archive seal key; kind "X"; batches chained by the previous batch's seal)
are stored on the AuditArchiveBatch row.
"""
import calendar
import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from archive.seal import AUDIT_FIELDS, _encode, audit_header, mac, seal_key, ts
from liaison.models import AuditEntry

from .models import AuditArchiveBatch

BATCH_SIZE = 5000
FOLDER = "audit_archive"


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """``moment`` minus calendar ``months`` (the day clamped to the month's end)."""
    total = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def cutoff_for(now: dt.datetime | None = None) -> dt.datetime:
    """Rows at or after this moment are kept in the live log only:
    now minus settings.AUDIT_KEEP_MONTHS (≥ 6, dengbao.checks)."""
    now = now or timezone.now()
    return months_before(timezone.localtime(now), settings.AUDIT_KEEP_MONTHS)


def _row(entry: AuditEntry) -> dict:
    values = {name: getattr(entry, name) for name in AUDIT_FIELDS}
    values["at"] = ts(values["at"])
    values["ip"] = str(values["ip"]) if values["ip"] else None
    return {"id": entry.pk, **values, "seal": entry.seal}


def batch_header(batch: AuditArchiveBatch) -> str:
    """The canonical text the batch seal covers (besides the file's SHA-256)."""
    return _encode([
        batch.number, batch.first_id, batch.last_id, ts(batch.first_at), ts(batch.last_at),
        batch.count, ts(batch.cutoff), batch.file_name, batch.prev_seal,
    ])


def batch_seal(batch: AuditArchiveBatch, prev_batch_seal: str) -> str:
    return mac(seal_key(), b"X", prev_batch_seal, batch_header(batch), batch.sha256)


@transaction.atomic
def export_batch(*, actor=None, now: dt.datetime | None = None, limit: int = BATCH_SIZE) -> AuditArchiveBatch | None:
    """Write the next sealed batch of up to ``limit`` audit rows older than
    the cutoff, following the last exported id; return it, or None when no
    row is due. The rows are contiguous by id: the batch stops at the first
    row that is not yet old enough. ``actor`` is unused by the rule (a
    scheduled job has none) and kept for the service signature. Two runs at
    once cannot export a range twice: first_id and last_id are unique and the
    previous batch row is locked with select_for_update."""
    cutoff = cutoff_for(now)
    last = AuditArchiveBatch.objects.select_for_update().order_by("-number").first()
    after = last.last_id if last else 0
    rows = []
    for entry in AuditEntry.objects.filter(pk__gt=after).order_by("pk")[:limit]:
        if entry.at >= cutoff:
            break
        rows.append(entry)
    if not rows:
        return None
    prev_seal = AuditEntry.objects.filter(pk__lt=rows[0].pk).order_by("-pk").values_list("seal", flat=True).first() or ""
    content = "".join(json.dumps(_row(e), ensure_ascii=False, sort_keys=True) + "\n" for e in rows).encode()
    number = (last.number if last else 0) + 1
    batch = AuditArchiveBatch(
        number=number, first_id=rows[0].pk, last_id=rows[-1].pk, first_at=rows[0].at, last_at=rows[-1].at,
        count=len(rows), cutoff=cutoff, prev_seal=prev_seal, sha256=hashlib.sha256(content).hexdigest(),
    )
    batch.file_name = default_storage.save(f"{FOLDER}/audit-{number:06d}-{batch.first_id}-{batch.last_id}.jsonl",
                                           ContentFile(content))
    batch.seal = batch_seal(batch, last.seal if last else "")
    batch.save()
    return batch


def export_due(*, actor=None, now: dt.datetime | None = None, limit: int = BATCH_SIZE) -> list[AuditArchiveBatch]:
    """Export every due row, one committed transaction per batch; [] when
    nothing is due (idempotent: a second run exports nothing new)."""
    batches = []
    while (batch := export_batch(actor=actor, now=now, limit=limit)) is not None:
        batches.append(batch)
    return batches


@dataclass
class Problem:
    number: int
    reason: str


def verify_batch(batch: AuditArchiveBatch, prev_batch_seal: str) -> str | None:
    """None when the batch verifies, else why not: the file is missing, its
    SHA-256 or the batch seal differs, or the rows' chain does not verify
    from ``prev_seal`` (a row changed, dropped or reordered)."""
    try:
        with default_storage.open(batch.file_name, "rb") as handle:
            content = handle.read()
    except OSError:
        return "file missing"
    if hashlib.sha256(content).hexdigest() != batch.sha256:
        return "sha256 mismatch"
    if batch_seal(batch, prev_batch_seal) != batch.seal:
        return "seal mismatch"
    key = seal_key()
    prev = batch.prev_seal
    lines = content.decode().splitlines()
    if len(lines) != batch.count:
        return "row count mismatch"
    for line in lines:
        row = json.loads(line)
        if mac(key, b"L", prev, audit_header([row[name] for name in AUDIT_FIELDS])) != row["seal"]:
            return "row %s chain broken" % row.get("id")
        prev = row["seal"]
    return None


def verify_all() -> list[Problem]:
    """Check every batch's file hash, batch seal and row chain; [] when all verify."""
    problems = []
    prev = ""
    for batch in AuditArchiveBatch.objects.order_by("number"):
        reason = verify_batch(batch, prev)
        if reason:
            problems.append(Problem(batch.number, reason))
        prev = batch.seal
    return problems
