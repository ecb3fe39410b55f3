"""How many items a user may see, per department and month, without reading
every item (issue 12).

The items ``items_visible_to(user)`` holds are those matching the column
rules (``visibility.column_rules_q``: unit, state, confidentiality, "all
staff") plus the granted ones (rules 1 and 6: the user's or a principal's
view grant) that match none of them. The first are added up from the month totals the item triggers keep
(``models.ItemMonth``: a few thousand rows a year where the year holds
~90,000 items at 100,000); the second are counted item by item from the
user's grants (an index of the grant table, then each item by its key).
The sum is exactly ``items_visible_to(user)``'s count for the same months
and department (tests/infoflow/test_item_counts.py checks it for every
persona). Used by the assessment charts' items per department and the whole
log's count (``log_count``).

The totals' rows are deltas the triggers append (infoflow.item_months): a
key's count is the SUM of its rows' ``n``, so every read here groups and
adds up (``_months``), in one statement; the beat folds them every few
minutes, so a key has one row plus the few minutes' changes.
"""
from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Count, DateField, Sum
from django.db.models.functions import TruncMonth

from .filters import local_midnight
from .models import GrantMonth, Item, ItemMonth, ItemUserObjectPermission
from .selectors import _acting_user_ids, _view_permission_id
from .visibility import column_rules_q


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _months(queryset, first, last, unit_id):
    """``queryset`` (ItemMonth or GrantMonth) narrowed, as (unit, month, sum)."""
    if first is not None:
        queryset = queryset.filter(month__gte=first)
    if last is not None:
        queryset = queryset.filter(month__lte=last)
    if unit_id is not None:
        queryset = queryset.filter(unit_id=unit_id)
    return queryset.order_by().values_list("unit_id", "month").annotate(total=Sum("n"))


_STAND_IN = -2_000_000_201  # no user has this id
_compiled: dict = {}


def _from_totals(user, columns, first, last, unit_id) -> list[tuple]:
    """The (unit, month, n) rows of the month totals matching ``columns`` and
    of the user's own granted items that do not: one statement (a UNION
    ALL), compiled once per process for the same condition and filters, the
    user's id a parameter (compiling the two querysets cost more Python than
    running them; issue 12)."""
    key = (connection.alias, str(columns), first, last, unit_id)
    entry = _compiled.get(key)
    if entry is None:
        totals = _months(ItemMonth.objects.filter(columns), first, last, unit_id)
        own = _months(GrantMonth.objects.filter(user_id=_STAND_IN).exclude(columns), first, last, unit_id)
        sql, params = totals.union(own, all=True).query.get_compiler(connection=connection).as_sql()
        if list(params).count(_STAND_IN) != 1:  # pragma: no cover - the shape above has it once
            raise ValueError("the user's id must be one parameter")
        if len(_compiled) > 500:  # the filters come from query strings: keep the cache bounded
            _compiled.clear()
        entry = _compiled[key] = (sql, tuple(params), list(params).index(_STAND_IN))
    sql, params, slot = entry
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params[:slot], user.pk, *params[slot + 1:]])
        return cursor.fetchall()


def visible_item_months(user, *, first: dt.date | None = None, last: dt.date | None = None,
                        unit_id: int | None = None) -> dict[tuple[int, dt.date | None], int]:
    """``{(unit id, first day of the local month of submission): count}`` of
    the items ``user`` may see, the month None for items never submitted;
    only pairs with items. ``first``/``last`` (first days of months, both
    included) keep the submitted items of those months only; ``unit_id`` one
    department. An anonymous or inactive user gets {}."""
    columns = column_rules_q(user)
    if columns is None:
        return {}
    acting = _acting_user_ids(user)
    if acting == [user.pk]:
        # The user's own grants, added up from their month totals (GrantMonth): one item counts once there.
        rows = _from_totals(user, columns, first, last, unit_id)
    else:
        # A deputy for now: the grants of the user and of their principals overlap, so the granted items
        # the column rules leave out are counted one by one, read through one IN over those grants (a
        # semi-join from the grant index; visibility_q's OR of two hashed sets filtered every item).
        rows = list(_months(ItemMonth.objects.filter(columns), first, last, unit_id))
        granted = ItemUserObjectPermission.objects.filter(
            user_id__in=acting, permission_id=_view_permission_id()).values("content_object_id")
        rest = Item.objects.filter(pk__in=granted).exclude(columns)
        if first is not None:
            rest = rest.filter(submitted_at__gte=local_midnight(first))
        if last is not None:
            rest = rest.filter(submitted_at__lt=local_midnight(_next_month(last)))
        if unit_id is not None:
            rest = rest.filter(unit_id=unit_id)
        # TruncMonth in the current time zone, as the month totals' local month.
        rows += rest.order_by().annotate(month=TruncMonth("submitted_at", output_field=DateField())).values_list(
            "unit_id", "month").annotate(total=Count("pk"))
    counts: dict = {}
    for unit, month, n in rows:
        if isinstance(month, str):  # SQLite's raw cursor gives dates as text
            month = dt.date.fromisoformat(month)
        counts[unit, month] = counts.get((unit, month), 0) + n
    return {key: n for key, n in counts.items() if n}


def log_count(user, form) -> int | None:
    """The whole log's count (``export.log_queryset(user, form).count()``)
    from ``visible_item_months`` when the valid filters are at most the
    department and a period of whole months (the first day of a month to the
    last day of a month, either end open); None otherwise (count the items)."""
    active = form.active_filters()
    if set(active) - {"unit", "date_from", "date_to"}:
        return None
    date_from, date_to = active.get("date_from"), active.get("date_to")
    if date_from is not None and date_from.day != 1:
        return None
    if date_to is not None and (date_to + dt.timedelta(days=1)).day != 1:
        return None
    unit = active.get("unit")
    counts = visible_item_months(user, first=date_from, last=date_to.replace(day=1) if date_to else None,
                                 unit_id=unit.pk if unit is not None else None)
    return sum(counts.values())
