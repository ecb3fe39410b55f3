"""Querysets of a fixed shape compiled to SQL once per process (issue 12).

The item page reads a dozen small sets of rows (the item's history, its
steps, receivers…), each a handful of rows, and building and compiling each
queryset through the ORM cost more Python than reading its rows: about a
millisecond a query, most of the page's time after the templates. Their SQL
is the same on every request but for the ids they are filtered by, so
``rows(build, *ids)`` builds the queryset once, with stand-in ids that no
row has, compiles it, remembers where the stand-ins sit among the
parameters, and from then on runs the remembered SQL with the real ids and
turns the rows into model instances as the ORM does (``select_related``
objects and annotations included; ``prefetch_related`` is not supported).

``build``, a module-level function, must give the same SQL for every id (no branching on them, no
lists of them); it is called once per process and database vendor.

``rows_for(key, build, *ids, moment=now)`` is the same for a queryset whose
SQL depends on more than the ids (a user's visibility rule: their roles,
their id): the caller names in ``key`` everything its SQL depends on, and
``build(*ids, moment=)`` gets a stand-in moment besides the stand-in ids, whose
place among the parameters takes ``moment`` on each call (a rule read "now",
such as delegations in force).
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Hashable

from django.db import connection
from django.db.models import Count, Window, prefetch_related_objects
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators

_STAND_IN = -2_000_000_100  # ids are positive: no row has these
# A moment no rule compares with on its own (a microsecond in 1901): where it
# sits among the parameters, the caller's moment goes.
_MOMENT = datetime.datetime(1901, 1, 1, 0, 0, 0, 1, tzinfo=datetime.timezone.utc)
_MOMENT_SLOT = "moment"
_cache: dict[tuple, tuple] = {}
# rows_for's entries, one per key (a user's roles): bounded, emptied when full.
_keyed: dict[tuple, tuple] = {}
KEYED_LIMIT = 4096
_pages: dict[tuple, tuple] = {}
_PAGES_MAX = 512  # shapes of lists (kinds of user × pages' sizes); cleared past this, never stale
_OFFSET = OFFSET = 987_654_300  # a page's first row as the ORM writes it (a literal), swapped for a parameter


def _compile(build: Callable, count: int, with_moment: bool = False) -> tuple:
    stand_ins = [_STAND_IN - i for i in range(count)]
    queryset = build(*stand_ins, moment=_MOMENT) if with_moment else build(*stand_ins)
    if queryset._iterable_class is not ModelIterable or queryset._prefetch_related_lookups:
        raise ValueError("compiled.rows() takes a plain queryset of model instances")
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    moment = connection.ops.adapt_datetimefield_value(_MOMENT) if with_moment else None
    slots = [stand_ins.index(p) if isinstance(p, int) and not isinstance(p, bool) and p in stand_ins
             else _MOMENT_SLOT if with_moment and p == moment else None
             for p in params]
    if sorted({s for s in slots if isinstance(s, int)}) != list(range(count)):
        raise ValueError("every id must be a parameter of the compiled query")
    if with_moment and any(_is_moment(p) and s is None for p, s in zip(params, slots)):
        # A moment read otherwise (timezone.now() in the rule) would be frozen in the SQL.
        raise ValueError("every moment of the compiled query must be the one build() was given")
    select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [f[0].target.attname for f in select[start:end]]
    # The columns' converters, as compiler.results_iter() finds them on every
    # call (a walk over every column's field; a tenth of a millisecond a read).
    fields = [s[0] for s in select[0:compiler.col_count]]
    if compiler.has_composite_fields(fields):
        raise ValueError("compiled.rows() takes no composite primary keys")
    converters = compiler.get_converters(fields)
    return (sql, tuple(params), tuple(slots), compiler, converters, klass_info["model"], start, end, init_list,
            get_related_populators(klass_info, select, connection.alias), annotation_col_map)


_ISO_MOMENT = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d")


def _is_moment(param) -> bool:
    """A date or time among a query's parameters: the object (PostgreSQL) or
    the ISO text SQLite's backend adapts it to."""
    return isinstance(param, (datetime.date, datetime.time)) or (
        isinstance(param, str) and _ISO_MOMENT.match(param) is not None)


def rows(build: Callable, *ids: int) -> list:
    """The model instances of ``build(*ids)``, through its SQL compiled once."""
    if "<" in build.__qualname__:  # a lambda or a nested function is a new key every call
        raise ValueError("compiled.rows() takes a module-level function")
    key = (build, connection.alias, connection.vendor, len(ids))
    entry = _cache.get(key)
    if entry is None:
        entry = _cache[key] = _compile(build, len(ids))
    return _run(entry, ids, None)


def rows_for(key: Hashable, build: Callable, *ids: int, moment: datetime.datetime | None = None) -> list:
    """The model instances of ``build(*ids, moment=moment)`` (``build(*ids)``
    without a moment) through its SQL compiled once per ``key`` (and
    connection): ``key`` must name all that the SQL depends on besides
    ``ids`` and ``moment`` (the caller's rule: ``build`` is called with
    stand-ins once per key). Raises ValueError, as ``rows``, for a queryset
    it cannot run this way, and for one whose SQL holds another moment than
    the one given (a rule reading the clock itself would be frozen)."""
    with_moment = moment is not None
    full_key = (key, connection.alias, connection.vendor, len(ids), with_moment)
    entry = _keyed.get(full_key)
    if entry is None:
        if len(_keyed) >= KEYED_LIMIT:
            _keyed.clear()
        entry = _keyed[full_key] = _compile(build, len(ids), with_moment=with_moment)
    return _run(entry, ids, connection.ops.adapt_datetimefield_value(moment) if with_moment else None)


def _run(entry: tuple, ids: tuple, moment) -> list:
    sql, params, slots, compiler, converters, model, start, end, init_list, populators, annotations = entry
    values = [p if s is None else moment if s == _MOMENT_SLOT else ids[s] for p, s in zip(params, slots)]
    # On PostgreSQL psycopg prepares it after its first runs on a connection
    # (server-side binding: liaison.db_prepare), so it is planned once, not on every request.
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        fetched = cursor.fetchall()
    rows = compiler.apply_converters(fetched, converters) if converters else fetched
    return _instances(rows, model, start, end, init_list, populators, annotations)


def _instances(rows, model, start: int, end: int, init_list, populators, annotations: dict) -> list:
    """Model instances from compiled rows, as ``ModelIterable`` builds them:
    the model's columns ``row[start:end]``, then the related objects
    (``populators``, from select_related) and the annotations by position."""
    out = []
    db = connection.alias
    for row in rows:
        obj = model.from_db(db, init_list, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        for name, position in annotations.items():
            setattr(obj, name, row[position])
        out.append(obj)
    return out


def attach(parents: list, accessor: str, children: list) -> None:
    """Hand each of ``parents`` its ``children`` (rows whose ForeignKey behind
    ``accessor`` points to it) as ``prefetch_related(accessor)`` would: ``parent.<accessor>.all()``
    answers from them, and each child's ForeignKey gives its parent, no query."""
    if not parents:
        return
    model = type(parents[0])
    field = getattr(model, accessor).field  # the children's ForeignKey
    base = field.model._base_manager.all()
    attname = field.attname
    by_parent: dict = {}
    for child in children:
        by_parent.setdefault(getattr(child, attname), []).append(child)
    for parent in parents:
        mine = by_parent.get(parent.pk, [])
        for child in mine:
            field.set_cached_value(child, parent)
        queryset = base._chain()
        queryset._result_cache = mine
        queryset._prefetch_done = True
        if not hasattr(parent, "_prefetched_objects_cache"):
            parent._prefetched_objects_cache = {}
        parent._prefetched_objects_cache[accessor] = queryset


def offset_as_parameter(sql: str) -> str:
    """``sql``, a page compiled with the stand-in ``[_OFFSET:…]`` slice, with
    its closing ``OFFSET`` made the last parameter (``%s``). Raises
    ValueError when the OFFSET does not close the statement."""
    literal = "OFFSET %d" % _OFFSET
    if sql.count(literal) != 1 or not sql.rstrip().endswith(literal):
        raise ValueError("the page's OFFSET must close the compiled query")
    return sql.rstrip()[: -len(literal)] + "OFFSET %s"


def _compile_page(build: Callable, shape: tuple, count: int, size: int, counted: bool) -> tuple:
    stand_ins = [_STAND_IN - i for i in range(count)]
    queryset = build(*shape, *stand_ins)
    lookups = queryset._prefetch_related_lookups
    iterable = queryset._iterable_class
    if iterable not in (ModelIterable, ValuesIterable):
        raise ValueError("compiled.page() takes a queryset of model instances or of values() dicts")
    queryset = queryset.prefetch_related(None)
    if counted:
        queryset = queryset.annotate(list_total=Window(Count("pk")))
    queryset = queryset[_OFFSET:_OFFSET + size]
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    sql = offset_as_parameter(sql)
    slots = [stand_ins.index(p) if isinstance(p, int) and not isinstance(p, bool) and p in stand_ins else None
             for p in params]
    if any(_is_moment(p) for p in params):
        # A moment read while building (timezone.now() in a rule) would be frozen in the SQL.
        raise ValueError("compiled.page() takes no query holding a date or time")
    if iterable is ValuesIterable:
        query = queryset.query
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        return (sql, tuple(params), tuple(slots), compiler, None, names, lookups)
    select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [f[0].target.attname for f in select[start:end]]
    return (sql, tuple(params), tuple(slots), compiler, klass_info["model"],
            (start, end, init_list, get_related_populators(klass_info, select, connection.alias), annotation_col_map),
            lookups)


def page(build: Callable, ids: tuple, *, shape: tuple = (), start: int = 0, size: int = 20,
         counted: bool = True) -> tuple[list, int | None]:
    """Rows ``start`` to ``start + size`` of ``build(*shape, *ids)`` and the
    whole list's count (``COUNT(*) OVER ()``, None when the page has no rows),
    through SQL compiled once per ``shape`` (issue 12).

    ``build`` is called once per process, vendor and shape with stand-in ids
    in the place of ``ids``; it must branch on ``shape`` alone, so ``shape``
    holds everything else the queryset's SQL depends on (a user's kinds of
    role, how many units…). A stand-in that does not reach the SQL is
    allowed (the shape says it has no effect). Rows are model instances as
    the ORM makes them (``select_related`` objects and annotations, and the
    queryset's ``prefetch_related`` lookups done on the page's rows) or, for
    a ``values()`` queryset, its dicts; each carries ``list_total``
    (``counted=False``: no count, for a list whose count is known; None)."""
    if "<" in build.__qualname__:
        raise ValueError("compiled.page() takes a module-level function")
    key = (build, connection.alias, connection.vendor, shape, len(ids), size, counted)
    entry = _pages.get(key)
    if entry is None:
        if len(_pages) >= _PAGES_MAX:
            _pages.clear()
        entry = _pages[key] = _compile_page(build, shape, len(ids), size, counted)
    sql, params, slots, compiler, model, how, lookups = entry
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(p if s is None else ids[s] for p, s in zip(params, slots)), start])
        fetched = cursor.fetchall()
    if model is None:
        names = how
        out = [dict(zip(names, row)) for row in compiler.results_iter([fetched])]
        return out, (out[0]["list_total"] if out and counted else None)
    first, end, init_list, populators, annotations = how
    out = _instances(compiler.results_iter([fetched]), model, first, end, init_list, populators, annotations)
    if out and lookups:
        prefetch_related_objects(out, *lookups)
    return out, (out[0].list_total if out and counted else None)
