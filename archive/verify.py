"""verify_archive: every sealed link, its content and files, the audit chain,
and optionally an anchor (``anchor_archive``). Streams the records as plain
tuples in position order, in chunks, with the sealed values already spelt
by the database as the seal spells them (``record_rows``), so 100,000
records take a small multiple of the bare hashing time (bench/verify.py)."""
import hashlib
import hmac
import json
import datetime as dt
import itertools
import sqlite3
from functools import partial
from dataclasses import dataclass, field

import psycopg
from django.core.files.storage import default_storage
from django.db import connection, connections, models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from psycopg.types.string import ByteaBinaryLoader

from liaison.models import AuditEntry

from . import seal as S
from .models import (RETENTION_YEARS, retention_end, Appraisal, ArchiveCounter, ArchivedFile, ArchivedRecord,
                     DestructionEntry, PaperLocation)

CHUNK = 5000


@dataclass
class Result:
    records: int = 0
    links: int = 0
    audit_rows: int = 0
    audit_unsealed: int = 0
    failures: list = field(default_factory=list)  # (label, message)
    head: tuple = (0, "")
    audit_head: tuple = (0, "")

    @property
    def ok(self):
        return not self.failures

    def fail(self, label, message):
        self.failures.append((label, str(message)))

    @property
    def failing_labels(self):
        return sorted({label for label, _m in self.failures})


def file_sha256(name) -> str | None:
    try:
        with default_storage.open(name, "rb") as fh:
            digest = hashlib.sha256()
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
            return digest.hexdigest()
    except (FileNotFoundError, OSError):
        return None


def verify(anchor=None, *, check_files=True) -> Result:
    result = Result()
    key = S.seal_key()
    _verify_archive(result, key, check_files)
    _verify_audit(result, key)
    if anchor is not None:
        _verify_anchor(result, key, anchor)
    return result


def _verify_archive(result, key, check_files):
    """The archive chain in one pass over the records in position order, the
    few appraisal and destruction links merged in where their positions fall.

    The pass does per record what the seal needs and little more: the
    database hands over the sealed header already spelt as the seal spells it
    and the content as its UTF-8 bytes (``record_rows``), so a row costs one
    SHA-256, one HMAC and a few comparisons (bench/verify.py measures it). The
    columns outside the seal (state, retention, retention_until, the
    attachment rows) are checked against the links that changed them."""
    appraisals = list(Appraisal.objects.order_by("position").values_list(*S.APPRAISAL_FIELDS, "seal"))
    destructions = list(DestructionEntry.objects.order_by("position").values_list(*S.DESTRUCTION_FIELDS, "seal"))
    papers = list(PaperLocation.objects.order_by("position").values_list(*S.PAPER_FIELDS, "seal"))
    extras = sorted([(row[0], b"A", row) for row in appraisals] + [(row[0], b"D", row) for row in destructions]
                    + [(row[0], b"P", row) for row in papers])
    last_appraisal = {row[1]: row[3] for row in appraisals}  # record id → retention after its newest appraisal
    files = {}  # record id → [(index, sha256, path, *FILE_SEALED)], one query for the whole archive
    for record_id, *row in ArchivedFile.objects.order_by().values_list(
            "record_id", "index", "sha256", "file", *FILE_SEALED):
        files.setdefault(record_id, []).append(tuple(row))
    to_hash = []  # (label, sealed {index: entry} or None, file rows) of kept records with attachments

    chain = _Chain(result)
    next_extra = extras[0][0] if extras else None
    i_extra = 0
    expected_position = chain.expected_position
    prev = b""
    last = None
    records = 0
    sha = hashlib.sha256
    digest = hmac.digest
    compare = hmac.compare_digest
    for position, label, header, content_sha256, stored, content, file_count, pk in record_rows():
        if next_extra is not None and next_extra < position:
            chain.expected_position, chain.prev = expected_position, prev
            while next_extra is not None and next_extra < position:
                chain.extra(key, *extras[i_extra][1:])
                i_extra += 1
                next_extra = extras[i_extra][0] if i_extra < len(extras) else None
            expected_position, prev = chain.expected_position, chain.prev
        # content is None unless the record is kept (_verify_not_kept checks the others).
        if content is not None:
            if sha(content).hexdigest() != content_sha256:
                result.fail(label, _("归档内容与封存时不一致"))
            if file_count or pk in files:
                attached = files.get(pk, ())
                if len(attached) != file_count:
                    result.fail(label, _("附件数量与封存时不一致"))
                if file_count:
                    to_hash.append((label, _sealed_files(content), attached))
        # seal.mac(key, b"R", prev, header, content_sha256), on bytes.
        stored = stored.encode()
        expected = digest(key, b"R|" + prev + b"|" + header + b"|" + content_sha256.encode(),
                          "sha256").hex().encode()
        if position != expected_position:
            chain.missing(label, expected_position, position)
        if not compare(stored, expected):
            result.fail(label, _("封存校验值不符（记录被修改、删除或顺序被改变）"))
        chain.prev_label = label
        prev = stored
        expected_position = position + 1
        records += 1
        last = position
    chain.expected_position, chain.prev = expected_position, prev
    if last is not None:
        chain.links += records
        chain.head = (last, prev.decode())
    for _position, kind, row in extras[i_extra:]:
        chain.extra(key, kind, row)
    result.records = records
    result.links = chain.links
    result.head = chain.head

    counter = ArchiveCounter.objects.filter(key="chain").values_list("last", flat=True).first() or 0
    if counter > result.head[0]:
        result.fail(_("链尾"), _("链计数为 %(c)s，但最后一条记录的序号为 %(p)s：最新的记录被删除")
                    % {"c": counter, "p": result.head[0]})

    _verify_not_kept(result, destructions, files)
    _verify_retention(result, last_appraisal)
    for label, sealed, attached in to_hash:
        _verify_files(result, label, sealed, attached, check_files)


class _Chain:
    """Chain state shared by the record loop and the appraisal and destruction
    links between records (the record loop keeps its own copies in locals)."""

    def __init__(self, result):
        self.result = result
        self.expected_position = 1
        self.prev = b""
        self.prev_label = ""
        self.links = 0
        self.head = (0, "")

    def missing(self, label, expected_position, position):
        self.result.fail(label, _("链序号 %(missing)s 至 %(p)s 之间的记录缺失（在 %(prev)s 之后）")
                         % {"missing": expected_position, "p": position - 1, "prev": self.prev_label or "-"})

    def extra(self, key, kind, row):
        position, stored = row[0], row[-1]
        if kind == b"A":
            label = _("鉴定 #%(p)s（档案 ID %(r)s）") % {"p": position, "r": row[1]}
            expected = S.mac(key, b"A", self.prev.decode(), S.header_of(row[:-1], S.APPRAISAL_FIELDS))
        elif kind == b"P":
            label = _("纸质原件位置 #%(p)s（档案 ID %(r)s）") % {"p": position, "r": row[1]}
            expected = S.mac(key, b"P", self.prev.decode(), S.header_of(row[:-1], S.PAPER_FIELDS))
        else:
            label = _("销毁清册 %(n)s") % {"n": row[3]}
            expected = S.mac(key, b"D", self.prev.decode(), S.header_of(row[:-1], S.DESTRUCTION_FIELDS))
        if position != self.expected_position:
            self.missing(label, self.expected_position, position)
        stored = stored.encode()
        if not hmac.compare_digest(stored, expected.encode()):
            self.result.fail(label, _("封存校验值不符（记录被修改、删除或顺序被改变）"))
        self.prev = stored
        self.prev_label = label
        self.expected_position = position + 1
        self.links += 1
        self.head = (position, row[-1])


# --- the columns outside the seal ----------------------------------------------------

def _verify_not_kept(result, destructions, files):
    """A record no longer kept has an emptied content, a destruction-list line
    and no attachment rows (the state column is indexed: few rows)."""
    destroyed_records = {row[1] for row in destructions}
    records = ArchivedRecord.objects.order_by().exclude(state=ArchivedRecord.State.KEPT)
    for pk, label, state, content in records.values_list("pk", "number", "state", "content"):
        if content:
            result.fail(label, _("已销毁档案仍有内容"))
        if state == ArchivedRecord.State.DESTROYED and pk not in destroyed_records:
            result.fail(label, _("标记为已销毁，但销毁清册中没有记录"))
        if files.get(pk):
            result.fail(label, _("已销毁档案仍有附件"))


def _verify_retention(result, last_appraisal):
    """retention is the newest appraisal's, or the sealed initial one, and
    retention_until is retention_end(completed_at, retention).

    Records never appraised are checked by groups of (UTC hour of completion,
    retention, initial retention, retention_until), read from the index on
    those columns: the local date, and so the end, is the same for a whole
    UTC hour unless the hour crosses local midnight (offsets that are not
    whole hours) or a change of offset. Appraised records, records whose
    retention differs from the initial one, and the records of any group not
    cleared are checked one by one."""
    records = ArchivedRecord.objects.order_by()
    suspects = set(last_appraisal)
    suspects.update(records.exclude(retention=F("initial_retention")).values_list("pk", flat=True))
    groups = _retention_groups(connection)
    if groups is None:
        suspects.update(records.values_list("pk", flat=True))
        groups = ()
    ends = _RetentionEnds()
    for hour, retention, initial, until in groups:
        if retention != initial:
            continue  # each of these records is a suspect already
        end = ends.for_hour(hour, retention)
        if end is _PER_RECORD or end is _UNKNOWN or end != until:
            start = dt.datetime.fromisoformat(hour + ":00:00+00:00") if end is not _UNKNOWN else None
            if start is None:
                suspects.update(records.values_list("pk", flat=True))
                break
            suspects.update(records.filter(completed_at__gte=start, completed_at__lt=start + dt.timedelta(hours=1))
                            .values_list("pk", flat=True))

    fields = ("pk", "number", "completed_at", "retention", "initial_retention", "retention_until")
    suspects = sorted(suspects)
    for start in range(0, len(suspects), 500):
        for pk, label, completed_at, retention, initial, until in (
                records.filter(pk__in=suspects[start:start + 500]).values_list(*fields)):
            if retention != last_appraisal.get(pk, initial):
                result.fail(label, _("保管期限与鉴定记录不一致"))
            elif retention not in RETENTION_YEARS or until != retention_end(completed_at, retention):
                result.fail(label, _("保管到期日与保管期限不一致"))


# How each backend spells the UTC hour of completion and retention_until for
# _retention_groups: plain truncation, the spelling done on the few groups.
_GROUP_SQL = {
    "sqlite": ("substr({c}, 1, 13)", "CAST({c} AS TEXT)"),
    "postgresql": ("date_trunc('hour', {c} AT TIME ZONE 'UTC')", "{c}"),
}


def _hour_text(value):
    """The UTC hour as "YYYY-MM-DDTHH" (the start of seal.ts()), from SQLite's
    "YYYY-MM-DD HH" or PostgreSQL's naive timestamp."""
    if isinstance(value, dt.datetime):
        return "%04d-%02d-%02dT%02d" % (value.year, value.month, value.day, value.hour)
    return value.replace(" ", "T") if value is not None else None


def _retention_groups(connection):
    """[(hour, retention, initial_retention, retention_until ISO text or None)]
    over all records, or None on a backend not spelt above."""
    spelling = _GROUP_SQL.get(connection.vendor)
    if spelling is None:
        return None
    quote = connection.ops.quote_name
    sql = "SELECT %s, %s, %s, %s FROM %s GROUP BY 1, 2, 3, 4" % (
        spelling[0].format(c=quote("completed_at")), quote("retention"), quote("initial_retention"),
        spelling[1].format(c=quote("retention_until")), quote(ArchivedRecord._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [(_hour_text(hour), retention, initial, until.isoformat() if isinstance(until, dt.date) else until)
                for hour, retention, initial, until in cursor.fetchall()]


class _RetentionEnds:
    """retention_until as ISO text for the records completed in one UTC hour
    ("YYYY-MM-DDTHH") with one retention code; _PER_RECORD when the local date
    changes within the hour; _UNKNOWN for an unknown code."""

    def __init__(self):
        self.cache = {}
        self.tz = timezone.get_current_timezone()

    def for_hour(self, hour, code):
        key = (hour, code)
        if key not in self.cache:
            self.cache[key] = self._compute(hour, code)
        return self.cache[key]

    def _compute(self, hour, code):
        if code not in RETENTION_YEARS:
            return _UNKNOWN
        try:
            start = dt.datetime.fromisoformat(hour + ":00:00+00:00")
        except (TypeError, ValueError):
            return _UNKNOWN
        finish = start + dt.timedelta(minutes=59, seconds=59, microseconds=999999)
        if timezone.localtime(start, self.tz).date() != timezone.localtime(finish, self.tz).date():
            return _PER_RECORD
        end = retention_end(start, code)
        return end.isoformat() if end else None


_PER_RECORD = object()
_UNKNOWN = object()


# --- reading the records ----------------------------------------------------------

# The columns of record_rows(), one tuple per record.
ROW_COLUMNS = ("position", "number", "header", "content_sha256", "seal", "content", "file_count", "id")
_TIMES = {"completed_at", "archived_at"}

# How each backend spells the sealed header (seal.header_of: the canonical JSON
# array of S.RECORD_HEADER_FIELDS), so that it reaches Python as the very bytes
# the HMAC takes. SQLite's json_array() and PostgreSQL's to_json() quote text
# exactly as json.dumps(ensure_ascii=False) does (every character from U+0001
# to U+10FFFF: tests/archive/test_verify_rows.py); a value they spelt otherwise
# would fail its seal, never pass a changed one. Django keeps SQLite times as
# naive UTC text "YYYY-MM-DD HH:MM:SS[.ffffff]", cut here to the millisecond
# like ts() (strftime's %f would round where ts() truncates).
#
# On PostgreSQL the values are joined with || (concat_ws() looks up each
# argument's output function on every row, about half the query's time), and
# a header whose text values hold nothing JSON escapes (no '"', '\\' or
# control character, the usual case: checked once over all of them) quotes
# them as they are, '"' || value || '"', which is json.dumps's spelling of such
# text; any other header takes to_json() for every text value ("plain" below).
_SQL = {
    "sqlite": {
        "header": "CAST(json_array({values}) AS BLOB)",
        "join": ", ",
        "value": "{c}",
        "number": "{c}",
        "time": "substr(replace({c}, ' ', 'T') || '.000', 1, 23) || '+00:00'",
        "bytes": "CAST({c} AS BLOB)",
    },
    "postgresql": {
        "header": "'[' || {values} || ']'",
        "join": " || ',' || ",
        "value": "coalesce(to_json({c})::text, 'null')",
        "number": "coalesce({c}::text, 'null')",
        "time": "coalesce('\"' || to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS') || '+00:00\"', 'null')",
        "bytes": "{c}",  # text columns are read as bytes (record_rows)
        # The fast spelling of a text value, and the test that every text
        # value of the header may take it (NULL, never here, takes to_json).
        "plain_value": "'\"' || {c} || '\"'",
        "plain": "({values}) !~ '[\\x01-\\x1f\"\\\\]'",
        "plain_join": " || ",
    },
}


def _kind(name):
    if name in _TIMES:
        return "time"
    field = ArchivedRecord._meta.get_field(name.removesuffix("_id"))
    if field.is_relation:
        field = field.target_field
    return "number" if isinstance(field, models.IntegerField) else "value"


def _spelling(connection):
    if connection.vendor == "sqlite":
        return _SQL["sqlite"] if sqlite3.sqlite_version_info >= (3, 38) else None  # json_array() built in
    return _SQL.get(connection.vendor)


def header_sql(spelling, quote):
    """The SQL expression of the sealed header as the seal spells it."""
    fields = S.RECORD_HEADER_FIELDS

    def header(text):
        return spelling["header"].format(values=spelling["join"].join(
            (text if _kind(name) == "value" else spelling[_kind(name)]).format(c=quote(name)) for name in fields))

    escaped = header(spelling["value"])
    if "plain" not in spelling:
        return escaped
    texts = spelling["plain_join"].join(quote(name) for name in fields if _kind(name) == "value")
    return "CASE WHEN %s THEN %s ELSE %s END" % (
        spelling["plain"].format(values=texts), header(spelling["plain_value"]), escaped)


def record_rows(using="default"):
    """Every record as a tuple of ROW_COLUMNS, in position order: the header
    and the content as UTF-8 bytes, the content None unless the record is
    kept. On SQLite and PostgreSQL the database does the spelling and the rows
    come from the driver's own cursor, CHUNK at a time (binary results on
    PostgreSQL); elsewhere the ORM's values are converted here."""
    connection = connections[using]
    spelling = _spelling(connection)
    if spelling is None:
        yield from _orm_record_rows(using)
        return
    quote = connection.ops.quote_name
    columns = {
        "header": header_sql(spelling, quote),
        "content": "CASE WHEN %s = '%s' THEN %s END" % (
            quote("state"), ArchivedRecord.State.KEPT, spelling["bytes"].format(c=quote("content"))),
    }
    sql = "SELECT %s FROM %s ORDER BY %s" % (
        ", ".join(columns.get(name) or quote(name) for name in ROW_COLUMNS),
        quote(ArchivedRecord._meta.db_table), quote("position"))
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        # Streamed in chunks (libpq's chunked rows mode): the server spells the
        # next rows while these are hashed, and only a chunk is held at a time.
        # Values of type text (the header and the content; not the varchar
        # columns) arrive as their UTF-8 bytes, undecoded. JIT and parallel
        # workers are off for the query: the spelling's long expression tips
        # the planner's cost estimate over their thresholds, and compiling it
        # or merging workers' rows back into position order costs more than
        # it saves (bench/verify.py); the connection's own values come back after.
        raw = connection.connection
        saved = raw.execute("SELECT current_setting('jit'), current_setting('max_parallel_workers_per_gather')").fetchone()
        raw.execute("SELECT set_config('jit', 'off', false), set_config('max_parallel_workers_per_gather', '0', false)")
        cursor = psycopg.Cursor(raw)
        cursor.adapters.register_loader("text", ByteaBinaryLoader)
        try:
            yield from cursor.stream(sql, binary=True, size=CHUNK)
        finally:
            cursor.close()
            if not raw.closed and not raw.broken:
                raw.execute("SELECT set_config('jit', %s, false), set_config('max_parallel_workers_per_gather', %s, false)",
                            saved)
    else:
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql)
            yield from itertools.chain.from_iterable(iter(partial(cursor.fetchmany, CHUNK), []))
        finally:
            cursor.close()


def _orm_record_rows(using="default"):
    """record_rows() through the ORM and seal.header_of: for other backends,
    and the reference the databases' spelling is tested against."""
    n = len(S.RECORD_HEADER_FIELDS)
    rows = (ArchivedRecord.objects.using(using).order_by("position")
            .values_list(*S.RECORD_HEADER_FIELDS, "content_sha256", "seal", "content", "state", "pk")
            .iterator(chunk_size=CHUNK))
    i_files = S.RECORD_HEADER_FIELDS.index("file_count")
    for row in rows:
        content_sha256, seal, content, state, pk = row[n:]
        header = S.header_of(row[:n], S.RECORD_HEADER_FIELDS).encode()
        content = content.encode() if state == ArchivedRecord.State.KEPT else None
        yield row[0], row[1], header, content_sha256, seal, content, row[i_files], pk


# An archived file's row beside its entry in the sealed snapshot: every
# snapshot since the first (format 1) holds these with the file's SHA-256
# under the record's content hash, so old records are checked the same way.
FILE_SEALED = ("original_name", "recorded_type", "detected_type", "size", "purpose")
FILE_SEALED_LABELS = {
    "file": _lazy("存储路径"), "original_name": _lazy("文件名"), "recorded_type": _lazy("登记类型"),
    "detected_type": _lazy("检测类型"), "size": _lazy("大小"), "purpose": _lazy("用途"),
}


def _sealed_files(content):
    try:
        return {a["index"]: a for a in json.loads(content)["attachments"]}
    except (ValueError, KeyError, TypeError):
        return None


def _verify_files(result, label, sealed, attached, check_files=True):
    if sealed is None:
        result.fail(label, _("归档内容无法读取"))
        return
    for index, stored_sha, name, *described in sorted(attached):
        entry = sealed.get(index)
        if not isinstance(entry, dict) or entry.get("sha256") != stored_sha:
            result.fail(label, _("附件 %(i)s 的登记校验值与封存时不一致") % {"i": index})
            continue
        changed = [f for f, value in zip(("file",) + FILE_SEALED, [name, *described]) if entry.get(f) != value]
        if changed:
            result.fail(label, _("附件 %(i)s 的%(fields)s与封存时不一致") % {
                "i": index, "fields": "、".join(str(FILE_SEALED_LABELS[f]) for f in changed)})
        if not check_files:
            continue
        actual = file_sha256(name)
        if actual is None:
            result.fail(label, _("附件 %(i)s 的文件缺失") % {"i": index})
        elif actual != stored_sha:
            result.fail(label, _("附件 %(i)s 的文件内容与封存时不一致") % {"i": index})


def _verify_audit(result, key):
    prev = ""
    started = False
    rows = AuditEntry.objects.order_by("id").values_list("id", "seal", *S.AUDIT_FIELDS).iterator(chunk_size=CHUNK)
    for row in rows:
        pk, stored = row[0], row[1]
        result.audit_rows += 1
        if not stored:
            if started:
                result.fail(_("审计日志 #%(id)s") % {"id": pk}, _("审计日志缺少封存校验值"))
            else:
                result.audit_unsealed += 1
                continue
        started = True
        expected = S.mac(key, b"L", prev, S.audit_header(row[2:]))
        if not hmac.compare_digest(stored, expected):
            result.fail(_("审计日志 #%(id)s") % {"id": pk}, _("审计日志被修改、删除或顺序被改变"))
        prev = stored
        result.audit_head = (pk, stored)


# --- anchors ---------------------------------------------------------------------

def make_anchor(result=None) -> dict:
    position, head = S.chain_head()
    audit = AuditEntry.objects.exclude(seal="").order_by("-id").values_list("id", "seal").first() or (0, "")
    body = {
        "archive": {"position": position, "head": head,
                    "records": ArchivedRecord.objects.count()},
        "audit": {"last_id": audit[0], "head": audit[1]},
        "at": timezone.now().isoformat(),
    }
    body["mac"] = S.mac(S.seal_key(), b"N", "", S.canonical(body))
    return body


def _verify_anchor(result, key, anchor):
    label = _("锚点")
    try:
        body = {k: v for k, v in anchor.items() if k != "mac"}
        ok = hmac.compare_digest(anchor.get("mac", ""), S.mac(key, b"N", "", S.canonical(body)))
        position, head = int(anchor["archive"]["position"]), anchor["archive"]["head"]
        audit_id, audit_head = int(anchor["audit"]["last_id"]), anchor["audit"]["head"]
    except (KeyError, TypeError, ValueError, AttributeError):
        result.fail(label, _("锚点文件格式不正确"))
        return
    if not ok:
        result.fail(label, _("锚点文件不是本系统生成的，或已被修改"))
        return
    if position:
        found = None
        for model in (ArchivedRecord, Appraisal, DestructionEntry, PaperLocation):
            found = found or model.objects.filter(position=position).values_list("seal", flat=True).first()
        if found != head:
            result.fail(label, _("链已不再延续锚点记录的链头（序号 %(p)s）：最新的记录被删除或改动") % {"p": position})
        elif result.head[0] < position:
            result.fail(label, _("链比锚点时更短"))
    if audit_id:
        found = AuditEntry.objects.filter(pk=audit_id).values_list("seal", flat=True).first()
        if found != audit_head:
            result.fail(label, _("审计日志不再延续锚点记录的链头（#%(id)s）") % {"id": audit_id})

