"""Index shapes every app's models share (this module imports only Django)."""
from __future__ import annotations

from django.db import models
from django.db.models import F, Q


def cursor_index(cursor: str, *, name: str, condition: Q) -> models.Index:
    """The partial index of a sweep's cursor (liaison.sweeps), ``cursor``
    ascending with NULLs first, on the kind's open cases (``condition``,
    the same filter as the Sweep's ``open_cases``).

    NULLs first: the index's first entry then answers the idle sweep's two
    questions at once — "is a case not looked at yet?" (a NULL) and "is
    the earliest cursor due?" — one index probe per kind instead of two
    (issue 11, bench/sweep.py)."""
    return models.Index(F(cursor).asc(nulls_first=True), name=name, condition=condition)
