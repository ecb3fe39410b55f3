"""Sealing a closed case like an archived item (archive.seal): the case's
canonical snapshot — what was written, the record of handling, the finding,
the answer, the reward, the photos' SHA-256 — without the writer (a signed
case says only that it was signed), its SHA-256, and an HMAC with the
archive's seal key over the previous sealed case's seal, the header and the
hash (link kind ``S``). The chain's counter row (archive.ArchiveCounter
``suggestion-chain``) is locked first, so sealed cases form one line.
``verify_sealed_cases`` recomputes every link.
"""
from __future__ import annotations

from django.utils import timezone

from archive import seal as S
from archive.models import ArchiveCounter

from .models import Case, Reward, SealedCase

CHAIN_KEY = "suggestion-chain"


def snapshot(case: Case) -> dict:
    """What is sealed: the case without its writer."""
    reward = Reward.objects.filter(case=case).first()
    return {
        "number": case.number, "box": case.box, "kind": case.kind, "category": case.category.name,
        "text": case.text, "signed": case.signed, "contact_allowed": case.contact_allowed,
        "submitted_at": S.ts(case.submitted_at), "unit": case.unit.name if case.unit_id else None,
        "assigned_at": S.ts(case.assigned_at), "due_at": S.ts(case.due_at),
        "assigned_by": case.assigned_by_id, "finding": case.finding, "answer": case.answer,
        "answered_at": S.ts(case.answered_at), "answered_by": case.answered_by_id,
        "closed_at": S.ts(case.closed_at),
        "notes": [{"kind": n.kind, "text": n.text, "by": n.by_id, "at": S.ts(n.at)}
                  for n in case.notes.order_by("at", "pk")],
        "photos": [{"name": f.original_name, "type": f.content_type, "size": f.size, "sha256": f.sha256}
                   for f in case.files.order_by("pk")],
        "reward": None if reward is None else {
            "amount": str(reward.amount), "reason": reward.reason, "state": reward.state,
            "proposed_by": reward.proposed_by_id, "proposed_at": S.ts(reward.proposed_at),
            "decided_by": reward.decided_by_id, "decided_at": S.ts(reward.decided_at), "note": reward.decision_note},
    }


def _header(row: SealedCase) -> str:
    return S.header_of([getattr(row, f) for f in SealedCase.HEADER_FIELDS], SealedCase.HEADER_FIELDS)


def _mac(key, prev, row) -> str:
    return S.mac(key, b"S", prev, _header(row), row.content_sha256)


def seal_case(*, case: Case, actor) -> SealedCase:
    """Seal a closed case (inside close_case's transaction); idempotent."""
    existing = SealedCase.objects.filter(case=case).first()
    if existing is not None:
        return existing
    counter, _created = ArchiveCounter.objects.select_for_update().get_or_create(key=CHAIN_KEY)
    previous = SealedCase.objects.order_by("-position").values_list("seal", flat=True).first() or ""
    counter.last += 1
    content = S.canonical(snapshot(case))
    row = SealedCase(case=case, position=counter.last, number=case.number, box=case.box, kind=case.kind,
                     finding=case.finding, closed_at=case.closed_at or timezone.now(), sealed_by=actor,
                     content=content, content_sha256=S.sha256_text(content))
    row.seal = _mac(S.seal_key(), previous, row)
    row.save()
    counter.save(update_fields=["last"])
    return row


def verify_sealed_cases() -> list[str]:
    """The numbers of sealed cases whose content or seal no longer verifies
    (an edited row breaks itself; a deleted one breaks its successor)."""
    key, prev, bad = S.seal_key(), "", []
    for row in SealedCase.objects.order_by("position"):
        if S.sha256_text(row.content) != row.content_sha256 or _mac(key, prev, row) != row.seal:
            bad.append(row.number)
        prev = row.seal
    return bad
