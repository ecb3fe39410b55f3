"""The catalogue page's statements compiled once per process and shape (issue 12).

The catalogue (/archive/) reads its page of rows with their total, the
classification tree's counts and, for the secretariat, the completed items
waiting to be archived. Building and compiling those querysets through the
ORM — the visibility rule, the filters, the window count — cost more Python
than the rest of the view (about a third of the page at 100,000 items; the
statements themselves take 1–2 ms). Their SQL depends only on the request's
*shape*: the user's roles and superuser flag, how many units they are an
officer of, head or supervise, which filters are set and the retention
state chosen. The rest — the user's id, the units' ids, the filters'
values, the moment and the day — are parameters.

So each statement is built once per shape by the selectors the page used
(``catalogue`` with ``catalogue_table_rows`` and ``with_total``, ``classification_counts``,
``awaiting_archive``, all on ``records_visible_to``/``items_visible_to``) for
a stand-in user whose id and unit ids no row has, with stand-in filter
values, moment and day. Where each stand-in lands among the parameters is
remembered, and a request runs the remembered SQL with its own values.
tests/archive/test_catalogue_sql.py checks that the SQL and parameters are
exactly the ORM's for every role and filter.

A full-text search is compiled on PostgreSQL only: elsewhere its parameter
is a LIKE pattern made from the text, so there those requests go through
the ORM (``catalogue_statement`` returns None), as does a user who is not
logged in and active (the selectors' empty sets).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from django.db import connection
from django.db.models.query import ModelIterable, QuerySet

from officers.roles import roles_of

from .selectors import (
    awaiting_archive,
    catalogue,
    catalogue_table_rows,
    classification_counts,
    records_visible_to,
    with_total,
)
from .snapshot import spaced

# Values no user, unit, record or filter has. Ids are positive; the year
# stand-in stays inside the column's range (a value outside it compiles to
# no comparison at all) and the form admits only 1990–2200.
_USER = -2_000_000_301
_UNITS = {"officer_unit_ids": -2_000_001_000, "headed_unit_ids": -2_000_002_000,
          "supervised_unit_ids": -2_000_003_000}
_OWN_UNIT = -2_000_004_001
_MOMENT = dt.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=dt.timezone.utc)
_TODAY = dt.date(1901, 2, 3)
FILTER_STAND_INS = {
    "year": 32_101, "unit": -2_000_005_001, "unit_type": "\x1fstand-in unit_type",
    "importance": "\x1fstand-in importance", "top": "\x1fstand-in top", "mid": "\x1fstand-in mid",
    "month": "\x1fstand-in month",
    "q": "archivestandinquery",  # spaced() leaves it as it is: the parameter is spaced(q)
}
# A filter whose value chooses the statement's shape, not a parameter.
SHAPING = "retention_state"

_cache: dict[tuple, "_Statement"] = {}
_CACHE_MAX = 512  # shapes are few (roles × filters set); a guard, cleared past it


class _StandInUser:
    """What the visibility rules read of a user: the id, the flags and the
    roles, kept where roles_of finds them."""

    is_authenticated = True
    is_active = True

    def __init__(self, roles, is_superuser: bool):
        self.pk = self.id = _USER
        self.is_superuser = is_superuser
        self._liaison_roles = roles


@dataclasses.dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple
    slots: tuple  # per parameter: (the stand-in it holds, the parameter's type if a subclass), or None
    compiler: object
    instances: bool  # model instances (a values() statement: tuples)


def _unit_stand_ins(name: str, count: int) -> list[int]:
    return sorted(_UNITS[name] - i for i in range(count))


def _stand_in_roles(roles):
    changes = {name: frozenset(_unit_stand_ins(name, len(getattr(roles, name)))) for name in _UNITS}
    return dataclasses.replace(roles, user_id=_USER, unit_id=_OWN_UNIT if roles.unit_id else None, **changes)


def _shape(kind: str, user, roles, filters: dict) -> tuple:
    return (kind, connection.alias, connection.vendor, roles.roles, bool(user.is_superuser), bool(roles.unit_id),
            tuple(len(getattr(roles, name)) for name in _UNITS),
            tuple(sorted(name for name in filters if name in FILTER_STAND_INS)), filters.get(SHAPING))


def _compile(queryset: QuerySet, stand_ins: list, required: list) -> _Statement:
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    slots = []
    for p in params:
        hit = None
        if not isinstance(p, bool):
            for s in stand_ins:
                # isinstance: psycopg types a small integer's parameter (Int2, an int).
                if isinstance(p, type(s)) and p == s:
                    hit = (s, None if type(p) is type(s) else type(p))
                    break
        slots.append(hit)
    missing = [s for s in required if s not in {slot[0] for slot in slots if slot}]
    if missing:
        raise ValueError("stand-ins missing from the compiled statement: %r" % (missing,))
    if queryset._prefetch_related_lookups or queryset.query.select_related:
        raise ValueError("catalogue_sql takes querysets without select_related or prefetch_related")
    return _Statement(sql, tuple(params), tuple(slots), compiler, queryset._iterable_class is ModelIterable)


def _values(user, roles, filters: dict, moment: dt.datetime, today: dt.date) -> dict:
    """{stand-in as the backend's parameter: this request's value}."""
    ops = connection.ops
    values = {_USER: user.pk, ops.adapt_datetimefield_value(_MOMENT): ops.adapt_datetimefield_value(moment),
              ops.adapt_datefield_value(_TODAY): ops.adapt_datefield_value(today), _OWN_UNIT: roles.unit_id}
    for name in _UNITS:
        # The rules list units sorted (visibility_q); the stand-ins sorted take the same places.
        real = sorted(getattr(roles, name))
        values.update(zip(_unit_stand_ins(name, len(real)), real))
    for name, stand_in in FILTER_STAND_INS.items():
        if name in filters:
            values[stand_in] = filters[name]
    return values


def _statement(kind: str, user, filters: dict, build: Callable, moment: dt.datetime,
               today: dt.date) -> tuple[_Statement, list] | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if "q" in filters and connection.vendor != "postgresql":
        return None
    roles = roles_of(user)
    key = _shape(kind, user, roles, filters)
    entry = _cache.get(key)
    if entry is None:
        ops = connection.ops
        stand_in_user = _StandInUser(_stand_in_roles(roles), bool(user.is_superuser))
        shaped = {name: FILTER_STAND_INS.get(name, value) for name, value in filters.items()}
        queryset = build(stand_in_user, shaped, _MOMENT, _TODAY)
        given = [v for name, v in FILTER_STAND_INS.items() if name in filters]
        stand_ins = [_USER, _OWN_UNIT, ops.adapt_datetimefield_value(_MOMENT), ops.adapt_datefield_value(_TODAY),
                     *given, *[s for name in _UNITS for s in _unit_stand_ins(name, len(getattr(roles, name)))]]
        # Every rule names the user (their grants); a filter set must be in
        # its statement. Units and the moment appear as the role's rules need them.
        entry = _compile(queryset, stand_ins, [_USER, *given])
        if len(_cache) >= _CACHE_MAX:
            _cache.clear()
        _cache[key] = entry
    values = _values(user, roles, filters, moment, today)
    params = []
    for p, slot in zip(entry.params, entry.slots):
        if slot is not None:
            stand_in, typed = slot
            p = values[stand_in] if typed is None else typed(values[stand_in])
        params.append(p)
    return entry, params


def _rows_build(user, filters, moment, today):
    visible = records_visible_to(user, moment=moment)
    return with_total(catalogue_table_rows(
        catalogue(user, vendor=connection.vendor, visible=visible, today=today, **filters)))


def _page_build(user, filters, moment, today):
    visible = records_visible_to(user, moment=moment)
    return catalogue_table_rows(catalogue(user, vendor=connection.vendor, visible=visible, today=today, **filters))


def _tree_build(user, filters, moment, today):
    return classification_counts(records_visible_to(user, moment=moment))


def _pending_build(user, filters, moment, today):
    return awaiting_archive(user, moment=moment)


def _normal(kind: str, filters: dict) -> dict:
    """The filters a statement takes: the rows' only, the search as the
    parameter holds it (``selectors.search`` spaces it and ignores a search
    of nothing); empty values are no filter (as the view drops them)."""
    if kind not in ("rows", "page"):
        return {}
    filters = {name: value for name, value in filters.items() if value}
    if "q" in filters:
        filters["q"] = spaced(filters["q"].strip())
        if not filters["q"]:
            del filters["q"]
    return filters


STATEMENTS = {"rows": _rows_build, "page": _page_build, "tree": _tree_build, "pending": _pending_build}


def filtered(filters: dict) -> bool:
    """Whether ``filters`` narrow the catalogue's rows (as ``statement`` reads
    them: empty values and a search of nothing are no filter)."""
    return bool(_normal("rows", filters))


def statement(kind: str, user, filters: dict, moment: dt.datetime, today: dt.date) -> tuple[str, list] | None:
    """(sql, params) of the catalogue's ``kind`` statement for ``user``:
    "rows" (``with_total(catalogue_table_rows(catalogue(user, **filters)))``,
    every row: ``run`` adds the page's LIMIT), "page" (the same rows without
    their total: ``run``'s LIMIT reads only the page), "tree" (``classification_counts`` of what the user
    sees, filters ignored) or "pending" (``awaiting_archive``). ``filters``
    are ``catalogue``'s keyword arguments (``q`` as typed); ``moment`` and
    ``today`` the time and day the rules are read at. None: the ORM's path
    (see the module docstring). Raises ValueError if the statement does not
    take its stand-ins (a rule changed shape with a value)."""
    found = _statement(kind, user, _normal(kind, filters), STATEMENTS[kind], moment, today)
    if found is None:
        return None
    entry, params = found
    return entry.sql, params


def run(kind: str, user, filters: dict, moment: dt.datetime, today: dt.date, *, limit: tuple[int, int] | None = None):
    """The rows of ``statement(kind, …)``: model instances (as the ORM makes
    them from the same query, annotations included) for "rows", "page" and
    "pending", (class_top, class_mid, class_date, n) tuples for "tree".
    ``limit``: (low, high) as a queryset slice [low:high]. None: the ORM's path."""
    found = _statement(kind, user, _normal(kind, filters), STATEMENTS[kind], moment, today)
    if found is None:
        return None
    entry, params = found
    sql = entry.sql
    if limit is not None:
        sql = "%s %s" % (sql, connection.ops.limit_offset_sql(*limit))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    compiler = entry.compiler
    rows = compiler.results_iter([fetched])
    if not entry.instances:  # a values() statement: its columns' values
        return [tuple(row) for row in rows]
    klass_info = compiler.klass_info
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [column[0].target.attname for column in compiler.select[start:end]]
    annotations = compiler.annotation_col_map
    db = connection.alias
    out = []
    for row in rows:
        obj = model.from_db(db, init_list, row[start:end])
        for name, position in annotations.items():
            setattr(obj, name, row[position])
        out.append(obj)
    return out
