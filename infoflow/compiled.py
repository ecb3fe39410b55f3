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
"""
from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.db.models.query import ModelIterable, get_related_populators

_STAND_IN = -2_000_000_100  # ids are positive: no row has these
_cache: dict[tuple, tuple] = {}


def _compile(build: Callable, count: int) -> tuple:
    stand_ins = [_STAND_IN - i for i in range(count)]
    queryset = build(*stand_ins)
    if queryset._iterable_class is not ModelIterable or queryset._prefetch_related_lookups:
        raise ValueError("compiled.rows() takes a plain queryset of model instances")
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    slots = [stand_ins.index(p) if isinstance(p, int) and not isinstance(p, bool) and p in stand_ins else None
             for p in params]
    if sorted({s for s in slots if s is not None}) != list(range(count)):
        raise ValueError("every id must be a parameter of the compiled query")
    select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [f[0].target.attname for f in select[start:end]]
    return (sql, tuple(params), tuple(slots), compiler, klass_info["model"], start, end, init_list,
            get_related_populators(klass_info, select, connection.alias), annotation_col_map)


def rows(build: Callable, *ids: int) -> list:
    """The model instances of ``build(*ids)``, through its SQL compiled once."""
    if "<" in build.__qualname__:  # a lambda or a nested function is a new key every call
        raise ValueError("compiled.rows() takes a module-level function")
    key = (build, connection.alias, connection.vendor, len(ids))
    entry = _cache.get(key)
    if entry is None:
        entry = _cache[key] = _compile(build, len(ids))
    sql, params, slots, compiler, model, start, end, init_list, populators, annotations = entry
    with connection.cursor() as cursor:
        cursor.execute(sql, [p if s is None else ids[s] for p, s in zip(params, slots)])
        fetched = cursor.fetchall()
    out = []
    db = connection.alias
    for row in compiler.results_iter([fetched]):
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
