"""The item page's presence probes as SQL compiled once per process (issue 12).

The item page reads with the item whether each of its smaller tables holds
rows of it (``loop_view.presence_probes``, ``extensions.item_probes``):
eighteen ``EXISTS`` subqueries. Building and compiling them through the ORM
on every request cost about 7 ms of Python, more than the rest of the
item's query; their SQL is the same on every request but for the user's id.
So they are compiled once (per database vendor and set of registered
probes) with a stand-in user whose id no user has, and each request puts
its user's id in the stand-in's place and annotates the item's query with
the SQL as it is. The registered probes may therefore depend on the user's
id only (``extensions.item_probes`` says so).
"""
from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef
from django.db.models.expressions import RawSQL

from . import extensions, loop_view
from .loop_models import ChecklistTick
from .models import Item

_STAND_IN_ID = -2_000_000_011  # no user has a negative id


class _StandIn:
    """What a probe source may read of the user: the id."""

    pk = id = _STAND_IN_ID
    is_authenticated = True
    is_active = True


_compiled: dict[tuple, list[tuple[str, str, tuple]]] = {}


def _own_probes() -> dict:
    """The page's probes of its own beyond the small tables': whether any
    decision of the item's steps ticked a checklist (selectors.item_steps_read)."""
    return {"has_ticks": Exists(ChecklistTick.objects.filter(assignee__step__item_id=OuterRef("pk")))}


def _compile() -> list[tuple[str, str, tuple]]:
    probes = {**loop_view.presence_probes(), **_own_probes(), **extensions.item_probes(_StandIn())}
    query = Item.objects.annotate(**probes).query
    compiler = query.get_compiler(connection=connection)
    out = []
    for name in probes:
        sql, params = compiler.compile(query.annotations[name])
        out.append((name, sql, tuple(params)))
    return out


def page_probes(user) -> dict[str, RawSQL]:
    """``{name: RawSQL}`` for the item page's Item query: the annotations of
    ``loop_view.presence_probes()``, ``has_ticks`` and ``extensions.item_probes(user)``,
    the same SQL, ``user``'s id in it."""
    key = (connection.vendor, tuple(extensions._item_probes))
    compiled = _compiled.get(key)
    if compiled is None:
        compiled = _compiled[key] = _compile()
    user_id = user.pk
    return {name: RawSQL(sql, tuple(user_id if p == _STAND_IN_ID else p for p in params),
                         output_field=BooleanField())
            for name, sql, params in compiled}
