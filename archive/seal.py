"""Seals: HMAC-SHA256 chains over the archive and over the audit log.

Each sealed link's seal is HMAC(key, kind | previous link's seal | canonical
header | SHA-256 of the content). The key is not in the database
(settings.ARCHIVE_SEAL_KEY from LIAISON_ARCHIVE_SEAL_KEY, else the file
settings.ARCHIVE_SEAL_KEY_FILE, generated on first use with mode 0600), so a
row edited, deleted, reordered or re-sealed with plain SQL and plain hashing no
longer verifies. The previous seal ties each link to the one before it, so a
deleted middle row breaks its successor; a deleted newest row is caught by the
anchor file (``anchor_archive``) or by the position counter.

Three kinds of link share the archive chain's positions: records (R),
appraisals (A) and destruction-list lines (D). A destroyed record keeps its
header and content hash, so the chain verifies after the content is purged.
"""
import hashlib
import hmac
import ipaddress
import json
import os
import secrets
from datetime import date, datetime, timezone as dt_timezone

from django.conf import settings
from django.db import connections

from liaison.models import AuditEntry

from .models import Appraisal, ArchivedRecord, DestructionEntry, PaperLocation

_key_cache = {}


def seal_key() -> bytes:
    configured = getattr(settings, "ARCHIVE_SEAL_KEY", None)
    if configured:
        return configured.encode() if isinstance(configured, str) else configured
    path = settings.ARCHIVE_SEAL_KEY_FILE
    cached = _key_cache.get(str(path))
    if cached:
        return cached
    try:
        key = open(path, "rb").read().strip()
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        new = secrets.token_urlsafe(48).encode()
        try:
            # O_EXCL: two processes generating at once keep the first key.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(new)
        except FileExistsError:
            pass
        key = open(path, "rb").read().strip()
    if not key:
        raise RuntimeError("archive seal key file %s is empty" % path)
    _key_cache[str(path)] = key
    return key


def canonical(value) -> str:
    """The one JSON spelling of a value: sorted keys, no spaces, UTF-8 text."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_json_default)


def _json_default(value):
    if isinstance(value, datetime):
        return ts(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def ts(moment):
    """A moment as UTC ISO text to the millisecond, or None. Milliseconds
    because Django's JSON serialiser (dumpdata, used by backups) keeps no more,
    and a restored row must seal the same."""
    if moment is None:
        return None
    if isinstance(moment, str):
        return moment
    return moment.astimezone(dt_timezone.utc).isoformat(timespec="milliseconds")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def mac(key: bytes, kind: bytes, prev: str, header: str, content_sha256: str = "") -> str:
    message = b"|".join((kind, prev.encode(), header.encode(), content_sha256.encode()))
    return hmac.digest(key, message, "sha256").hex()


# --- archive links -------------------------------------------------------------

RECORD_HEADER_FIELDS = (
    "position", "number", "year", "sequence", "item_id", "fonds_code", "direction", "unit_id", "unit_type",
    "category_id", "class_top", "class_mid", "class_date", "subject", "importance", "confidentiality",
    "completed_at", "archived_at", "archived_by_id", "paper_location", "initial_retention", "file_count",
)
APPRAISAL_FIELDS = ("position", "record_id", "old_retention", "new_retention", "reason", "by_id", "at")
PAPER_FIELDS = ("position", "record_id", "location", "reason", "by_id", "at")
DESTRUCTION_FIELDS = (
    "position", "record_id", "batch_id", "number", "subject", "classification", "completed_at", "archived_at",
    "retention", "retention_until", "proposer", "approver", "supervisors", "destroyed_at",
)
_TIME_FIELDS = {"completed_at", "archived_at", "at", "destroyed_at"}


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def header_of(values, fields, extra=()) -> str:
    """Canonical header text from values in ``fields`` order (a tuple from
    values_list or the model's attributes). ``extra`` is appended as is."""
    out = []
    for name, value in zip(fields, values):
        if name in _TIME_FIELDS:
            value = ts(value)
        elif isinstance(value, date):
            value = value.isoformat()
        out.append(value)
    out.extend(extra)
    return _encode(out)


def record_seal(key, prev, record) -> str:
    values = [getattr(record, f) for f in RECORD_HEADER_FIELDS]
    return mac(key, b"R", prev, header_of(values, RECORD_HEADER_FIELDS), record.content_sha256)


def appraisal_seal(key, prev, appraisal) -> str:
    values = [getattr(appraisal, f) for f in APPRAISAL_FIELDS]
    return mac(key, b"A", prev, header_of(values, APPRAISAL_FIELDS))


def paper_seal(key, prev, addition) -> str:
    """Kind P: a paper original's location recorded after archiving (PaperLocation)."""
    values = [getattr(addition, f) for f in PAPER_FIELDS]
    return mac(key, b"P", prev, header_of(values, PAPER_FIELDS))


def destruction_seal(key, prev, entry) -> str:
    values = [getattr(entry, f) for f in DESTRUCTION_FIELDS]
    return mac(key, b"D", prev, header_of(values, DESTRUCTION_FIELDS))


def chain_head():
    """(position, seal) of the newest archive link, or (0, "")."""
    best = (0, "")
    for model in (ArchivedRecord, Appraisal, DestructionEntry, PaperLocation):
        row = model.objects.order_by("-position").values_list("position", "seal").first()
        if row and row[0] > best[0]:
            best = row
    return best


# --- the audit log -----------------------------------------------------------------

AUDIT_FIELDS = ("at", "user_id", "username", "action", "object_type", "object_id", "object_repr", "result", "ip", "detail")
AUDIT_LOCK = 0x4C494149  # pg advisory lock id for appending to the audit chain


def _ip(value):
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return str(value)


def audit_header(values) -> str:
    values = list(values)
    values[0] = ts(values[0])
    values[8] = _ip(values[8])
    return _encode(values)


def seal_audit_entry(entry) -> str:
    """Set ``entry.seal`` from the newest audit row's seal (call with the
    append lock held, see ``_audit_pre_save``)."""
    prev = AuditEntry.objects.order_by("-id").values_list("seal", flat=True).first() or ""
    if entry.at is not None and isinstance(entry.at, datetime) and entry.at.tzinfo is None:
        raise ValueError("audit time must be aware")
    entry.seal = mac(seal_key(), b"L", prev, audit_header([getattr(entry, f) for f in AUDIT_FIELDS]))
    return entry.seal


def _audit_pre_save(sender, instance, raw=False, using=None, **kwargs):
    """Framework glue (archive/apps.py): seal each audit row as it is inserted.
    Restores (raw) keep the stored seal. AuditEntry.save runs read-previous
    and insert in one transaction. On SQLite that transaction begins IMMEDIATE
    (settings), so it holds the database's write lock before reading the
    previous seal and concurrent appenders queue behind it. On PostgreSQL an
    advisory lock makes read-previous-then-insert atomic across processes:
    held to the end of the transaction inside one, around the single insert in
    autocommit (a save_base call outside AuditEntry.save)."""
    if raw or instance.seal or instance.pk is not None:
        return
    connection = connections[using or "default"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_LOCK])
            else:
                cursor.execute("SELECT pg_advisory_lock(%s)", [AUDIT_LOCK])
                instance._audit_unlock = True
    try:
        seal_audit_entry(instance)
    except Exception:
        _audit_post_save(sender, instance, using=using)
        raise


def _audit_post_save(sender, instance, using=None, **kwargs):
    if getattr(instance, "_audit_unlock", False):
        instance._audit_unlock = False
        with connections[using or "default"].cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [AUDIT_LOCK])
