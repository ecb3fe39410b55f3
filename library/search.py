"""Full-text search of the library (seed 000 §2.3 信息资源的检索和利用).

Chinese is written without spaces, so PostgreSQL's parsers see a whole
sentence as one word and ``to_tsvector`` alone never finds 法规 inside
安全生产法规汇编. Each entry therefore keeps ``search_text``: its words
lower-cased (NFKC: full-width letters and digits read as ASCII), every run of
Chinese characters cut into overlapping pairs (安全生产 → 安全 全生 生产), the
usual bigram indexing of CJK search engines. A query is cut the same way and
every piece must be present:

* on PostgreSQL, ``to_tsvector('simple', search_text) @@ to_tsquery(…)``
  served by a GIN index on that expression (migration 0002); Latin words
  match as prefixes (``iso`` finds ``iso9001``);
  a single Chinese character, which no pair holds alone, falls back to
  ``icontains`` for that piece;
* elsewhere (SQLite), each piece as ``icontains`` on ``search_text`` — the
  same pieces, so both databases answer the same rows.

Matches are ordered titles-holding-the-query first, then featured, then
recent (``rank``), on both databases. Measured with bench/library_search.py
(20,000 synthetic entries, first page of results, PostgreSQL on a loaded
2-core machine, best of 5): a term in half the entries — bigram index 109 ms,
the same with ``ts_rank`` 322 ms (it recomputes every match's vector: no
stored tsvector column, which SQLite could not hold), ``icontains`` over
title/summary/body 202 ms; three rarer terms — bigram 59 ms, ``ts_rank``
184 ms, plain matching 347 ms. Hence the index without ``ts_rank``, and
no OR'ed ``icontains`` fallback (it gives the index up).
"""
from __future__ import annotations

import re
import unicodedata

from django.db import connection
from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db.models import Case, F, FloatField, Func, QuerySet, Value, When

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(r"[%s]+|[0-9a-z]+" % CJK)
_CJK_RUN = re.compile(r"[%s]+" % CJK)
MAX_TERMS = 32  # a pasted paragraph is cut to its first pieces, not a query of thousands


def pieces(text: str) -> list[str]:
    """The searchable pieces of ``text``: Latin/digit words, and Chinese runs
    as overlapping pairs (a lone character stays itself). Order kept, duplicates dropped."""
    out: list[str] = []
    for run in _RUN.findall(unicodedata.normalize("NFKC", text or "").lower()):
        if _CJK_RUN.fullmatch(run) and len(run) > 1:
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
        else:
            out.append(run)
    return list(dict.fromkeys(out))


def index_text(*parts: str) -> str:
    """The value of ``Entry.search_text`` for these fields."""
    return " ".join(pieces(" ".join(p for p in parts if p)))


class SimpleVector(Func):
    """``to_tsvector('simple', search_text)``, written exactly as the GIN
    index of migration 0002 so the planner uses it."""

    function = "to_tsvector"
    template = "to_tsvector('simple'::regconfig, %(expressions)s)"
    output_field = SearchVectorField()


def _is_single_cjk(piece: str) -> bool:
    return len(piece) == 1 and bool(_CJK_RUN.fullmatch(piece))


def _title_first(qs: QuerySet, q: str) -> QuerySet:
    """Annotate ``rank``: 1 when the title holds the query as typed, else 0 —
    a relevance the list sorts by before featured and recency. Cheap per row,
    where ``ts_rank`` re-reads every match's vector (see the module docstring)."""
    return qs.annotate(rank=Case(When(title__icontains=q, then=Value(1.0)), default=Value(0.0),
                                 output_field=FloatField()))


def search_plan(q: str, *, vendor: str | None = None) -> tuple | None:
    """What ``search`` does for ``q`` as values: (pieces matched by LIKE, the
    lookup they take, the raw tsquery of the indexed pieces or None, the query
    as typed for the title's rank); None for a search of nothing. The list's
    compiled SQL binds these as parameters (library.list_sql; issue 12)."""
    terms = pieces(q)[:MAX_TERMS]
    if not terms:
        return None
    typed = " ".join((q or "").split())[:200]
    vendor = vendor or connection.vendor
    if vendor != "postgresql":
        return tuple(terms), "icontains", None, typed
    single = [t for t in terms if _is_single_cjk(t)]
    indexed = [t for t in terms if not _is_single_cjk(t)]
    # The pieces are [0-9a-z]+ or Chinese characters only: nothing of
    # tsquery's syntax can reach the raw query.
    raw = " & ".join(t if _CJK_RUN.fullmatch(t) else t + ":*" for t in indexed) if indexed else None
    return tuple(single), "contains", raw, typed


def apply_search(qs: QuerySet, plan: tuple | None) -> QuerySet:
    """``qs`` narrowed and ranked by a ``search_plan``."""
    if plan is None:
        return qs
    liked, lookup, raw, typed = plan
    for term in liked:
        qs = qs.filter(**{"search_text__" + lookup: term})
    if raw is not None:
        query = SearchQuery(raw, config="simple", search_type="raw")
        qs = qs.annotate(search_vector=SimpleVector(F("search_text"))).filter(search_vector=query)
    return _title_first(qs, typed)


def search(qs: QuerySet, q: str, *, vendor: str | None = None) -> QuerySet:
    """``qs`` (entries) narrowed to those holding every piece of ``q``, with
    ``rank`` annotated (titles holding the query first). An empty query
    leaves ``qs`` as it is. ``vendor`` overrides the connection's (tests run
    the SQLite branch on PostgreSQL too)."""
    return apply_search(qs, search_plan(q, vendor=vendor))
