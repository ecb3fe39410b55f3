"""Index shapes every app's models share (this module imports only Django)."""
from __future__ import annotations

from django.db import models
from django.db.models import F, Q


class CursorIndex(models.Index):
    """A partial index of a sweep's cursor, ascending with NULLs first.

    PostgreSQL sorts NULLs last unless told, and is told (``NULLS FIRST``).
    SQLite sorts NULLs first in an ascending index already and refuses the
    clause in CREATE INDEX, so there the index is the plain ascending one —
    the same order on both."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        column = self.expressions[0].expression.name
        plain = models.Index(fields=[column], name=self.name, condition=self.condition)
        return plain.create_sql(model, schema_editor, using=using, **kwargs)


def cursor_index(cursor: str, *, name: str, condition: Q) -> CursorIndex:
    """The partial index of a sweep's cursor (liaison.sweeps), ``cursor``
    ascending with NULLs first, on the kind's open cases (``condition``,
    the same filter as the Sweep's ``open_cases``).

    NULLs first: the index's first entry then answers the idle sweep's two
    questions at once — "is a case not looked at yet?" (a NULL) and "is
    the earliest cursor due?" — one index probe per kind instead of two
    (issue 11, bench/sweep.py)."""
    return CursorIndex(F(cursor).asc(nulls_first=True), name=name, condition=condition)
