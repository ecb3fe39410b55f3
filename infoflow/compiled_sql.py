"""Statements built by the ORM compiled to SQL once per key, their moments
given on each call (issue 12).

``infoflow.compiled`` does this for querysets of model instances filtered by
ids; the on-time page's statements are aggregates, unions and lists of ids
filtered by several moments (the period's bounds and days, now). Building
and compiling them through the ORM, each with the user's visibility rule,
cost about 10 ms of Python a request, a third of the page, for SQL that is
the same on every request of a user but for those moments. So
``statements(key, build, **moments)`` calls ``build`` once per ``key`` with
stand-in moments that nothing else holds, remembers where they sit among
the parameters, and from then on gives the remembered SQL with the real
moments in their places.

``key`` must name everything the SQL depends on besides the moments (as
``compiled.rows_for``'s key: the user's roles, their acting ids, the units
in scope…), and ``build`` must read no moment of its own: a parameter that
is a date or time and not a stand-in raises ValueError (it would be frozen).
"""
from __future__ import annotations

import datetime
from collections.abc import Callable, Hashable

from django.db import connection

from .compiled import _is_moment

_cache: dict[tuple, list] = {}
LIMIT = 4096  # entries (users' rules × statements); emptied when full, never stale


def _stand_in(index: int, value):
    """A moment of ``value``'s kind that no row or rule holds: 1901, apart by index."""
    if isinstance(value, datetime.datetime):
        return datetime.datetime(1901, 1, 1, 0, 0, 0, index + 1, tzinfo=datetime.timezone.utc)
    if isinstance(value, datetime.date):
        return datetime.date(1901, 2, index + 1)
    raise TypeError("statements() takes dates and datetimes as moments, not %r" % (value,))


def _adapt(value):
    ops = connection.ops
    if isinstance(value, datetime.datetime):
        return ops.adapt_datetimefield_value(value)
    return ops.adapt_datefield_value(value)


def _compile(build: Callable, moments: dict) -> list:
    names = sorted(moments)
    stand_ins = {name: _stand_in(i, moments[name]) for i, name in enumerate(names)}
    adapted = [(_adapt(value), name) for name, value in stand_ins.items()]
    entry = []
    for statement in build(**stand_ins):
        if statement is None:  # nothing to run (the ORM's EmptyResultSet): None each call
            entry.append(None)
            continue
        sql, params = statement
        slots = []
        for param in params:
            slot = next((name for value, name in adapted if type(param) is type(value) and param == value), None)
            if slot is None and _is_moment(param):
                raise ValueError("every moment of the statement must be one build() was given")
            slots.append(slot)
        entry.append((sql, tuple(params), tuple(slots)))
    return entry


def statements(key: Hashable, build: Callable, **moments) -> list[tuple[str, list] | None]:
    """[(sql, params)] of ``build(**moments)`` — a function of the moments
    giving a list of (sql, params), for instance of querysets through
    ``query.sql_with_params()``, or None for a statement with nothing to
    run — compiled once per ``key`` (and database connection's alias and
    vendor): ``build`` is called with stand-ins, once."""
    full_key = (key, connection.alias, connection.vendor, tuple(sorted(
        (name, type(value)) for name, value in moments.items())))
    entry = _cache.get(full_key)
    if entry is None:
        if len(_cache) >= LIMIT:
            _cache.clear()
        entry = _cache[full_key] = _compile(build, moments)
    values = {name: _adapt(value) for name, value in moments.items()}
    return [None if statement is None else
            (statement[0], [p if s is None else values[s] for p, s in zip(statement[1], statement[2])])
            for statement in entry]
