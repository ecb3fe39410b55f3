"""The sealed record of a published issue (issue 16 §5: archived like an
item, with its items' numbers; seed 002 三(五) 信息存档).

A BulletinRecord holds the issue as published (canonical JSON: cover,
entries with their items' numbers, text), its PDF with the PDF's SHA-256,
and an HMAC seal made with the archive's key (archive.seal.mac, link kind
"B") over the header and the content hash, chained to the previous
bulletin record. The chain is serialised by an archive counter row
(``briefs-chain``) locked with SELECT … FOR UPDATE. ``verify_records``
recomputes every seal.
"""
from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction

from archive import seal as S
from archive.models import ArchiveCounter

from ..export import issue_pdf
from ..models import BulletinRecord

CHAIN_KEY = "briefs-chain"


def snapshot(issue, entries) -> dict:
    """The issue as published: {"title", "year", "number", "period",
    "issue_date", "foreword", "published_by", "published_at", "entries":
    [{"position", "item_id", "item_number", "unit", "title", "text"}]}."""
    return {
        "title": issue.title, "year": issue.year, "number": issue.number, "period": issue.period,
        "issue_date": issue.issue_date, "foreword": issue.foreword, "published_by": issue.published_by_id,
        "published_at": S.ts(issue.published_at),
        "entries": [{"position": e.position, "item_id": e.item_id, "item_number": e.item_number,
                     "unit": e.unit_name, "title": e.title, "text": e.text} for e in entries],
    }


def _header(record) -> str:
    return S.canonical([record.issue_id, record.year, record.number, record.item_numbers, record.pdf_sha256,
                        S.ts(record.archived_at), record.archived_by_id])


def record_seal(record, previous: str) -> str:
    return S.mac(S.seal_key(), b"B", previous, _header(record), record.content_sha256)


def seal_issue(*, issue, entries, actor) -> BulletinRecord:
    """Inside publish_issue's transaction: make the PDF, store it and seal
    the record. Raises liaison.pdf.PdfUnavailable (then nothing is kept)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("seal_issue must run inside the publishing transaction")
    pdf = issue_pdf(issue, entries)
    chain, _created = ArchiveCounter.objects.select_for_update().get_or_create(key=CHAIN_KEY)
    previous = BulletinRecord.objects.order_by("-archived_at", "-pk").values_list("seal", flat=True).first() or ""
    content = S.canonical(snapshot(issue, entries))
    record = BulletinRecord(
        issue=issue, year=issue.year, number=issue.number,
        item_numbers=", ".join(e.item_number for e in entries), content=content,
        content_sha256=S.sha256_text(content), pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        previous_seal=previous, archived_by=actor,
    )
    record.pdf.save("%s-%d-%03d.pdf" % (issue.title, issue.year, issue.number), ContentFile(pdf), save=False)
    written = record.pdf.name
    try:
        record.seal = record_seal(record, previous)
        record.save()
        chain.last += 1
        chain.save(update_fields=["last"])
    except BaseException:
        record.pdf.storage.delete(written)
        raise
    return record


def verify_records() -> list[str]:
    """Problems found in the bulletin records, oldest first: a seal that does
    not verify (edited row), a broken link (a row deleted or reordered), a
    content or PDF whose hash differs. [] when all is well."""
    problems = []
    previous = ""
    for record in BulletinRecord.objects.order_by("archived_at", "pk"):
        label = "%d-%03d" % (record.year, record.number)
        if record.previous_seal != previous:
            problems.append("%s: chain broken" % label)
        if S.sha256_text(record.content) != record.content_sha256:
            problems.append("%s: content changed" % label)
        if record.seal != record_seal(record, record.previous_seal):
            problems.append("%s: seal does not verify" % label)
        if record.pdf:
            with record.pdf.open("rb") as fh:
                if hashlib.sha256(fh.read()).hexdigest() != record.pdf_sha256:
                    problems.append("%s: PDF changed" % label)
        previous = record.seal
    return problems
