"""The four-property check (四性检测, DA/T 70-2018) per record: authenticity
(the seal verifies), integrity (required metadata; numbers without gaps or
each gap explained), usability (each file's type detected from its content
matches what was recorded, is an archival format and is not encrypted) and
security (a ClamAV scan when a daemon is configured)."""
import io
import socket
import struct
import zipfile
from dataclasses import dataclass, field

import filetype
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from .models import ArchivedRecord, GapExplanation

ARCHIVAL = {"pdf", "ofd", "jpg", "png", "tif", "docx", "xlsx", "pptx", "odt", "ods", "odp"}
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OOXML = {"docx", "xlsx", "pptx"}


@dataclass
class Check:
    ok: bool | None  # None: not checked
    notes: list = field(default_factory=list)


def detect(data: bytes, name: str = ""):
    """(extension, encrypted) of file content."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if data.startswith(OLE2):
        # An encrypted OOXML document is an OLE2 container (MS-OFFCRYPTO).
        if ext in OOXML:
            return ext, True
        guess = filetype.guess(data[:8192])
        return (guess.extension if guess else "ole2"), False
    guess = filetype.guess(data[:8192])
    kind = guess.extension if guess else ""
    if kind == "zip":
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            names = []
        if "OFD.xml" in names:
            kind = "ofd"
        elif "word/document.xml" in names:
            kind = "docx"
        elif "xl/workbook.xml" in names:
            kind = "xlsx"
    if kind == "pdf":
        return kind, b"/Encrypt" in data
    return kind, False


RECORDED = {
    "application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", "image/tiff": "tif",
    "application/ofd": "ofd",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
}


def usability(record) -> Check:
    check = Check(ok=True)
    for f in record.files.all():
        try:
            with default_storage.open(f.file.name, "rb") as fh:
                data = fh.read()
        except (FileNotFoundError, OSError):
            check.ok = False
            check.notes.append(_("%(name)s：文件缺失") % {"name": f.original_name})
            continue
        kind, encrypted = detect(data, f.original_name)
        recorded = RECORDED.get(f.recorded_type, f.original_name.rsplit(".", 1)[-1].lower())
        if encrypted:
            check.ok = False
            check.notes.append(_("%(name)s：文件已加密") % {"name": f.original_name})
        elif kind != recorded:
            check.ok = False
            check.notes.append(_("%(name)s：内容类型（%(kind)s）与登记类型（%(rec)s）不符")
                               % {"name": f.original_name, "kind": kind or "?", "rec": recorded})
        elif kind not in ARCHIVAL:
            check.ok = False
            check.notes.append(_("%(name)s：%(kind)s 不是归档格式") % {"name": f.original_name, "kind": kind})
    return check


REQUIRED = ("number", "subject", "class_top", "class_mid", "class_date", "completed_at", "archived_at",
            "retention", "unit_id", "content_sha256", "seal")


def integrity(record, gaps_by_year) -> Check:
    missing = [name for name in REQUIRED if not getattr(record, name)]
    check = Check(ok=not missing)
    if missing:
        check.notes.append(_("缺少元数据：%(fields)s") % {"fields": "、".join(missing)})
    if not record.is_destroyed and not record.content:
        check.ok = False
        check.notes.append(_("归档内容为空"))
    gaps = gaps_by_year.get(record.year)
    if gaps:
        check.ok = False
        check.notes.append(_("%(year)s 年度编号有未说明的断号：%(list)s")
                           % {"year": record.year, "list": "、".join(str(s) for s in gaps[:10])})
    return check


def unexplained_gaps():
    """{year: [missing sequences without a GapExplanation]}."""
    by_year = {}
    for year, seq in ArchivedRecord.objects.order_by().values_list("year", "sequence"):
        by_year.setdefault(year, set()).add(seq)
    explained = set(GapExplanation.objects.values_list("year", "sequence"))
    out = {}
    for year, seqs in by_year.items():
        missing = [s for s in range(1001, max(seqs) + 1) if s not in seqs and (year, s) not in explained]
        if missing:
            out[year] = missing
    return out


def clamav_configured():
    return bool(settings.CLAMAV_SOCKET or settings.CLAMAV_HOST)


def clamav_scan(data: bytes, timeout=30) -> str:
    """clamd INSTREAM: 'OK', or the signature name found. Raises OSError."""
    if settings.CLAMAV_SOCKET:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        address = settings.CLAMAV_SOCKET
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        address = (settings.CLAMAV_HOST, settings.CLAMAV_PORT)
    sock.settimeout(timeout)
    with sock:
        sock.connect(address)
        sock.sendall(b"zINSTREAM\0")
        for start in range(0, len(data), 1 << 16):
            chunk = data[start:start + (1 << 16)]
            sock.sendall(struct.pack("!L", len(chunk)) + chunk)
        sock.sendall(struct.pack("!L", 0))
        reply = b""
        while not reply.endswith(b"\0"):
            part = sock.recv(4096)
            if not part:
                break
            reply += part
    text = reply.rstrip(b"\0").decode(errors="replace")
    # "stream: OK" | "stream: Eicar-Signature FOUND" | "INSTREAM size limit exceeded. ERROR"
    if text.endswith("OK"):
        return "OK"
    if text.endswith("FOUND"):
        return text.split(":", 1)[-1].strip()[: -len("FOUND")].strip()
    raise OSError(text)


def security(record) -> Check:
    if not clamav_configured():
        # In the reader's words: what was not checked, not which daemon is missing.
        return Check(ok=None, notes=[_("附件未做病毒扫描（系统未接入病毒扫描服务）")])
    check = Check(ok=True)
    for f in record.files.all():
        try:
            with default_storage.open(f.file.name, "rb") as fh:
                verdict = clamav_scan(fh.read())
        except OSError as exc:
            check.ok = False
            check.notes.append(_("%(name)s：病毒扫描失败（%(error)s）") % {"name": f.original_name, "error": exc})
            continue
        if verdict != "OK":
            check.ok = False
            check.notes.append(_("%(name)s：发现病毒 %(sig)s") % {"name": f.original_name, "sig": verdict})
    return check


def report_rows(records, failing_labels, gaps_by_year):
    """One dict per record with the four checks (records with files prefetched)."""
    for record in records:
        authentic = Check(ok=record.number not in failing_labels)
        if not authentic.ok:
            authentic.notes.append(_("封存校验未通过"))
        yield {
            "record": record,
            "authenticity": authentic,
            "integrity": integrity(record, gaps_by_year),
            "usability": usability(record) if not record.is_destroyed else Check(ok=None, notes=[_("已销毁")]),
            "security": security(record) if not record.is_destroyed else Check(ok=None, notes=[_("已销毁")]),
        }
