"""verify_archive: every sealed link, its content and files, the audit chain,
and optionally an anchor (``anchor_archive``). Reads rows as tuples in
position order, in chunks, so 100,000 records fit in memory comfortably
(bench/verify.py measures it against a bare HMAC loop)."""
import hashlib
import hmac
import json
import datetime as dt
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from . import seal as S
from .models import retention_end, Appraisal, ArchiveCounter, ArchivedFile, ArchivedRecord, DestructionEntry

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
    record_cols = S.RECORD_HEADER_FIELDS + ("content_sha256", "seal", "content", "state", "retention", "retention_until", "pk")
    appraisals = {}
    last_appraisal = {}
    for row in Appraisal.objects.order_by("position").values_list(*S.APPRAISAL_FIELDS, "seal"):
        appraisals[row[0]] = row
        last_appraisal[row[1]] = row[3]
    destructions = {}
    destroyed_records = set()
    for row in DestructionEntry.objects.order_by("position").values_list(*S.DESTRUCTION_FIELDS, "seal"):
        destructions[row[0]] = row
        destroyed_records.add(row[1])
    file_counts = {}
    for record_id in ArchivedFile.objects.order_by().values_list("record_id", flat=True):
        file_counts[record_id] = file_counts.get(record_id, 0) + 1
    sealed_counts = {}

    expected_position = 1
    prev = ""
    prev_label = ""
    n_rec = len(S.RECORD_HEADER_FIELDS)
    mac = S.mac
    sha = hashlib.sha256
    header_of = S.header_of
    fields = S.RECORD_HEADER_FIELDS
    i_initial, i_completed = fields.index("initial_retention"), fields.index("completed_at")

    records = _raw_rows(record_cols)

    def links():
        # Merge the three kinds by position (appraisals and destructions are few).
        extra = sorted(list(appraisals.items()) + list(destructions.items()))
        i = 0
        for row in records:
            while i < len(extra) and extra[i][0] < row[0]:
                yield extra[i][0], extra[i][1]
                i += 1
            yield row[0], row
        while i < len(extra):
            yield extra[i][0], extra[i][1]
            i += 1

    for position, row in links():
        if position in appraisals and row is appraisals[position]:
            label = _("鉴定 #%(p)s（档案 ID %(r)s）") % {"p": position, "r": row[1]}
            stored = row[-1]
            expected = mac(key, b"A", prev, header_of(row[:-1], S.APPRAISAL_FIELDS))
        elif position in destructions and row is destructions[position]:
            label = _("销毁清册 %(n)s") % {"n": row[3]}
            stored = row[-1]
            expected = mac(key, b"D", prev, header_of(row[:-1], S.DESTRUCTION_FIELDS))
        else:
            result.records += 1
            label = row[1]
            content_sha256, stored, content, state, retention, until, pk = row[n_rec:]
            files = row[n_rec - 1]
            sealed_counts[pk] = (label, files, content if files and state == "kept" else None, state)
            if state == "kept":
                if sha(content.encode()).hexdigest() != content_sha256:
                    result.fail(label, _("归档内容与封存时不一致"))
            elif content:
                result.fail(label, _("已销毁档案仍有内容"))
            if state == "destroyed" and pk not in destroyed_records:
                result.fail(label, _("标记为已销毁，但销毁清册中没有记录"))
            if retention != last_appraisal.get(pk, row[i_initial]):
                result.fail(label, _("保管期限与鉴定记录不一致"))
            elif until != _end(row[i_completed], retention):
                result.fail(label, _("保管到期日与保管期限不一致"))
            expected = mac(key, b"R", prev, header_of(row[:n_rec], fields), content_sha256)
        if position != expected_position:
            result.fail(label, _("链序号 %(missing)s 至 %(p)s 之间的记录缺失（在 %(prev)s 之后）")
                        % {"missing": expected_position, "p": position - 1, "prev": prev_label or "-"})
        if not hmac.compare_digest(stored, expected):
            result.fail(label, _("封存校验值不符（记录被修改、删除或顺序被改变）"))
        prev = stored
        prev_label = label
        expected_position = position + 1
        result.links += 1
        result.head = (position, stored)

    counter = ArchiveCounter.objects.filter(key="chain").values_list("last", flat=True).first() or 0
    if counter > result.head[0]:
        result.fail(_("链尾"), _("链计数为 %(c)s，但最后一条记录的序号为 %(p)s：最新的记录被删除")
                    % {"c": counter, "p": result.head[0]})

    for pk, (label, files, content, state) in sealed_counts.items():
        if state != "kept":
            if file_counts.get(pk):
                result.fail(label, _("已销毁档案仍有附件"))
            continue
        if file_counts.get(pk, 0) != files:
            result.fail(label, _("附件数量与封存时不一致"))
        if files and check_files:
            _verify_files(result, label, pk, content)


def _raw_rows(columns):
    """Record rows as tuples straight from the cursor (the ORM's per-value
    converters cost more than the hashing): datetimes and dates normalised to
    what values_list would give, so the headers are the ones sealed."""
    from django.db import connection

    quote = connection.ops.quote_name
    sql = "SELECT %s FROM %s ORDER BY %s" % (
        ", ".join(quote(c if c != "pk" else "id") for c in columns), quote(ArchivedRecord._meta.db_table),
        quote("position"))
    i_completed, i_archived = columns.index("completed_at"), columns.index("archived_at")
    i_until = columns.index("retention_until")
    utc = dt.timezone.utc
    parse = dt.datetime.fromisoformat
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while True:
            chunk = cursor.fetchmany(CHUNK)
            if not chunk:
                return
            for row in chunk:
                completed, archived, until = row[i_completed], row[i_archived], row[i_until]
                if isinstance(completed, str) or completed.tzinfo is None:  # SQLite keeps naive UTC
                    row = list(row)
                    row[i_completed] = _aware(completed, utc, parse)
                    row[i_archived] = _aware(archived, utc, parse)
                    row[i_until] = dt.date.fromisoformat(until) if isinstance(until, str) else until
                yield tuple(row)


def _aware(value, utc, parse):
    if isinstance(value, str):
        value = parse(value)
    return value.replace(tzinfo=utc)


_end_cache = {}


def _end(completed_at, code):
    key = (completed_at, code)
    if key not in _end_cache:
        if len(_end_cache) > 100_000:
            _end_cache.clear()
        _end_cache[key] = retention_end(completed_at, code)
    return _end_cache[key]


def _verify_files(result, label, pk, content):
    try:
        sealed = {a["index"]: a["sha256"] for a in json.loads(content)["attachments"]}
    except (ValueError, KeyError, TypeError):
        result.fail(label, _("归档内容无法读取"))
        return
    for index, stored_sha, name in ArchivedFile.objects.filter(record_id=pk).values_list("index", "sha256", "file"):
        if sealed.get(index) != stored_sha:
            result.fail(label, _("附件 %(i)s 的登记校验值与封存时不一致") % {"i": index})
            continue
        actual = file_sha256(name)
        if actual is None:
            result.fail(label, _("附件 %(i)s 的文件缺失") % {"i": index})
        elif actual != stored_sha:
            result.fail(label, _("附件 %(i)s 的文件内容与封存时不一致") % {"i": index})


def _verify_audit(result, key):
    from liaison.models import AuditEntry

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
    from liaison.models import AuditEntry

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
        for model in (ArchivedRecord, Appraisal, DestructionEntry):
            found = found or model.objects.filter(position=position).values_list("seal", flat=True).first()
        if found != head:
            result.fail(label, _("链已不再延续锚点记录的链头（序号 %(p)s）：最新的记录被删除或改动") % {"p": position})
        elif result.head[0] < position:
            result.fail(label, _("链比锚点时更短"))
    if audit_id:
        from liaison.models import AuditEntry

        found = AuditEntry.objects.filter(pk=audit_id).values_list("seal", flat=True).first()
        if found != audit_head:
            result.fail(label, _("审计日志不再延续锚点记录的链头（#%(id)s）") % {"id": audit_id})

