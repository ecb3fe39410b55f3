"""Item numbers: prefix-year-sequence without gaps and without duplicates.

``next_number`` must run inside the transaction that stores the number: it
locks the (prefix, year) counter row with SELECT … FOR UPDATE, so concurrent
submissions queue on that row and each gets the next value, and a submission
that rolls back rolls the counter back with it (no burnt numbers).
"""
from django.db import IntegrityError, transaction

from ..models import NumberSequence


def _locked_sequence(prefix, year):
    try:
        return NumberSequence.objects.select_for_update().get(prefix=prefix, year=year)
    except NumberSequence.DoesNotExist:
        pass
    # First number of the year: two submitters may race to create the row; the
    # loser's insert fails on the unique constraint and it locks the winner's row.
    try:
        with transaction.atomic():
            NumberSequence.objects.create(prefix=prefix, year=year, last=0)
    except IntegrityError:
        pass
    return NumberSequence.objects.select_for_update().get(prefix=prefix, year=year)


def next_sequence(prefix: str, year: int) -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_sequence must run inside the transaction that uses the number")
    seq = _locked_sequence(prefix, year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return seq.last


def format_number(prefix: str, year: int, sequence: int) -> str:
    return f"{prefix}-{year}-{sequence:03d}"


def next_number(prefix: str, year: int) -> str:
    """The next free number, e.g. ``NX-2026-014``."""
    return format_number(prefix, year, next_sequence(prefix, year))
