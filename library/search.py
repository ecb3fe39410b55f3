"""Full-text search of the library (seed 000 §2.3 信息资源的检索和利用).

Chinese is written without spaces, so PostgreSQL's parsers see a whole
sentence as one word and ``to_tsvector`` alone never finds 法规 inside
安全生产法规汇编. Each entry therefore keeps ``search_text``: its words
lower-cased (NFKC: full-width letters and digits read as ASCII), every run of
Chinese characters cut into overlapping pairs (安全生产 → 安全 全生 生产), the
usual bigram indexing of CJK search engines. A query is cut the same way and
every piece must be present:

* on PostgreSQL, ``to_tsvector('simple', search_text) @@ to_tsquery(…)``
  served by a GIN index on that expression (migration 0002), ranked by
  ``ts_rank``; Latin words match as prefixes (``iso`` finds ``iso9001``);
  a single Chinese character, which no pair holds alone, falls back to
  ``icontains`` for that piece;
* elsewhere (SQLite), each piece as ``icontains`` on ``search_text`` — the
  same pieces, so both databases answer the same rows.

Measured (bench/library_search.py, 20,000 entries, PostgreSQL 16): the
GIN-served query takes well under a millisecond to a few ms where
``icontains`` over title/summary/body scans the table (tens of ms), see the
commit message for the figures.
"""
from __future__ import annotations

import re
import unicodedata

from django.db import connection
from django.db.models import F, Func, QuerySet
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField

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


def search(qs: QuerySet, q: str, *, vendor: str | None = None) -> QuerySet:
    """``qs`` (entries) narrowed to those holding every piece of ``q``;
    ranked best first on PostgreSQL (annotation ``rank``). An empty query
    leaves ``qs`` as it is. ``vendor`` overrides the connection's (tests run
    the SQLite branch on PostgreSQL too)."""
    terms = pieces(q)[:MAX_TERMS]
    if not terms:
        return qs
    vendor = vendor or connection.vendor
    if vendor != "postgresql":
        for term in terms:
            qs = qs.filter(search_text__icontains=term)
        return qs
    single = [t for t in terms if _is_single_cjk(t)]
    indexed = [t for t in terms if not _is_single_cjk(t)]
    for term in single:
        qs = qs.filter(search_text__contains=term)
    if not indexed:
        return qs
    # The pieces are [0-9a-z]+ or Chinese characters only: nothing of
    # tsquery's syntax can reach the raw query.
    raw = " & ".join(t if _CJK_RUN.fullmatch(t) else t + ":*" for t in indexed)
    query = SearchQuery(raw, config="simple", search_type="raw")
    vector = SimpleVector(F("search_text"), output_field=SearchVectorField())
    return (qs.annotate(search_vector=vector).filter(search_vector=query)
            .annotate(rank=SearchRank(vector, query, cover_density=False)))
