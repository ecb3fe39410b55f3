"""A list page's page: counted first, its rows read only when there are any (issue 12)."""
from __future__ import annotations

from collections.abc import Callable

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


def count_then_page(request, found: QuerySet, per_page: int,
                    rows: Callable[[QuerySet], QuerySet] | None = None) -> Page:
    """Page ``request.GET["page"]`` of a list whose total is ``found.count()``.

    ``rows(found)`` (default: ``found``) gives the page's rows — with their
    joins, annotations and prefetches — and is built and read only when the
    total is not zero: an empty list costs one plain COUNT, not the compile of
    its widest query. ``found`` must hold one row per listed row (filters on
    single-valued relations only) so that its count is the list's. A list
    empty by its filter (``.none()``) compiles no SQL at all."""
    total = 0 if found.query.is_empty() else found.count()
    paginator = Paginator((rows(found) if rows is not None else found) if total else [], per_page)
    paginator.count = total  # a cached_property: set, it is not queried again
    return paginator.get_page(request.GET.get("page"))
