"""The library list's statements compiled once per process and shape (issue 12).

/library/ built and compiled, on every request, the visibility queryset of
``selectors.entries_visible_to`` (the item rule inside an Exists, the named
units' Exists), the filters, the search and the window count: about half
the page's Python though the statement itself is quick. Its SQL depends on
the request only through its *shape*: the user's (``stand_ins.user_shape``:
flags, roles, how many units and how they are shared), which filters are set
(and the validity and state words, the featured flag) and the search's
shape (how many pieces are matched by LIKE, whether there is an indexed
part). The rest — the user's and units' ids, the category and department
ids, the day, the search's pieces — are parameters.

So the statement is built once per shape by the selectors the page uses
(``entries_visible_to``, ``filter_entries_by``, ``search.apply_search``,
``list_values`` and the count of ``paginate_counted``) for a stand-in user
with stand-in ids, day and search pieces; where each stand-in lands among
the parameters is remembered and a request binds its own values.
tests/library/test_list_sql.py checks the rows and counts against the ORM
for every persona, filter and search.

``page`` answers None where the ORM's path stays: a user not logged in and
active, acting for a principal (a delegation in force), a page number
below 1 or past the end, an id past the column's range.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Window

from infoflow import compiled
from infoflow.selectors import _acting_user_ids
from infoflow.stand_ins import stand_in_user, user_shape
from infoflow.views.common import PAGE_SIZE, _asked_page
from officers.models import OrgUnit

from . import selectors
from .search import apply_search, search_plan

_ID = -2_000_007_100  # user and unit ids: _ID - position (ids are positive)
_CATEGORY = -2_000_008_001
_DEPARTMENT = -2_000_008_002
_TODAY = dt.date(1901, 2, 3)
_TOKEN = "zzlibstandin%dq"  # search pieces: letters only, nothing LIKE escapes
_TYPED = "zzlibstandintypedq"
_RAW = "zzlibstandinrawq"
_OFFSET = compiled.OFFSET  # the page's first row as the ORM writes it (a literal), made a parameter
_ID_MAX = 2**31 - 1  # past it the ORM answers no rows without asking (integer columns)

_cache: dict[tuple, "_Statement"] = {}
_CACHE_MAX = 512  # shapes are few; a guard, cleared past it
_choices: dict[tuple, tuple] = {}


@dataclasses.dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple
    slots: tuple  # per parameter: None (kept), ("id", n), ("today",), ("text", name, like), ("cat",), ("dep",)
    compiler: object
    names: tuple


def _build(shape, ids, category_id, department_id, words, today, plan):
    validity, state, featured = words
    qs = selectors.filter_entries_by(selectors.entries_visible_to(stand_in_user(shape, ids)),
                                     category_id=category_id, department_id=department_id, validity=validity,
                                     state=state, featured=featured, today=today)
    return selectors.list_values(apply_search(qs, plan)).annotate(list_total=Window(Count("pk")))


def _stand_in_plan(plan):
    if plan is None:
        return None
    liked, lookup, raw, _typed = plan
    return (tuple(_TOKEN % i for i in range(len(liked))), lookup, None if raw is None else _RAW, _TYPED)


def _compile(shape, id_count, has_category, has_department, words, plan) -> _Statement:
    ids = tuple(_ID - i for i in range(id_count))
    shaped = _stand_in_plan(plan)
    queryset = _build(shape, ids, _CATEGORY if has_category else None, _DEPARTMENT if has_department else None,
                      words, _TODAY, shaped)[_OFFSET:_OFFSET + PAGE_SIZE]
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    sql = compiled.offset_as_parameter(sql)
    today = connection.ops.adapt_datefield_value(_TODAY)
    texts = {}
    if shaped is not None:
        texts = {token: ("liked", i) for i, token in enumerate(shaped[0])}
        texts[_TYPED] = ("typed",)
        if shaped[2] is not None:
            texts[_RAW] = ("raw",)
    slots = []
    for p in params:
        slot = None
        if isinstance(p, bool):
            pass
        elif isinstance(p, int):
            if p == _CATEGORY:
                slot = ("cat",)
            elif p == _DEPARTMENT:
                slot = ("dep",)
            elif p in ids:
                slot = ("id", ids.index(p))
        elif isinstance(p, str) and p in texts:
            slot = ("text", texts[p], False)
        elif isinstance(p, str) and p.startswith("%") and p.endswith("%") and p[1:-1] in texts:
            slot = ("text", texts[p[1:-1]], True)
        elif p == today and type(p) is type(today):
            slot = ("today",)
        if slot is None and (isinstance(p, (dt.date, dt.time)) or (isinstance(p, str) and p.startswith("1901-"))):
            raise ValueError("a date the list was not given is in its compiled statement")
        slots.append(slot)
    found = {s[0] for s in slots if s}
    wanted = {"cat"} if has_category else set()
    wanted |= {"dep"} if has_department else set()
    wanted |= {"text"} if shaped is not None else set()
    if not wanted <= found or (words[0] and "today" not in found):
        raise ValueError("a filter's stand-in is missing from the compiled statement")
    query = queryset.query
    names = (*query.extra_select, *query.values_select, *query.annotation_select)
    return _Statement(sql, tuple(params), tuple(slots), compiler, names)


def _text(which, plan):
    liked, _lookup, raw, typed = plan
    if which[0] == "liked":
        return liked[which[1]]
    return raw if which[0] == "raw" else typed


def page(request, *, category: str, department: str, validity: str, state: str, featured: bool, q: str,
         today: dt.date) -> Page | None:
    """The page ``paginate_counted(request, list_values(search(filter_entries(
    entries_visible_to(user), …), q)))`` gives, through the compiled
    statement; None: the ORM's path (see the module docstring)."""
    user = request.user
    if not user.is_authenticated or not user.is_active or _acting_user_ids(user) != [user.pk]:
        return None
    number = _asked_page(request)
    if number < 1:
        return None
    category_id = int(category) if category.isdigit() else None
    department_id = int(department) if department.isdigit() else None
    if (category_id or 0) > _ID_MAX or (department_id or 0) > _ID_MAX:
        return None
    # As filter_entries reads them: other words are no filter.
    words = (validity if validity in selectors.VALIDITY else "", state if state in ("withdrawn", "all") else "",
             bool(featured))
    plan = search_plan(q)
    shape, ids = user_shape(user)
    plan_shape = None if plan is None else (len(plan[0]), plan[1], plan[2] is not None)
    key = (connection.alias, connection.vendor, shape, len(ids), category_id is not None,
           department_id is not None, words, plan_shape)
    entry = _cache.get(key)
    if entry is None:
        entry = _compile(shape, len(ids), category_id is not None, department_id is not None, words, plan)
        if len(_cache) >= _CACHE_MAX:
            _cache.clear()
        _cache[key] = entry
    like = connection.ops.prep_for_like_query
    today_value = connection.ops.adapt_datefield_value(today)
    values = []
    for p, slot in zip(entry.params, entry.slots):
        if slot is not None:
            kind = slot[0]
            if kind == "id":
                p = ids[slot[1]]
            elif kind == "cat":
                p = category_id
            elif kind == "dep":
                p = department_id
            elif kind == "today":
                p = today_value
            else:
                text = _text(slot[1], plan)
                p = "%%%s%%" % like(text) if slot[2] else text
        values.append(p)
    values.append((number - 1) * PAGE_SIZE)
    with connection.cursor() as cursor:
        cursor.execute(entry.sql, values)
        fetched = cursor.fetchall()
    names = entry.names
    rows = [dict(zip(names, row)) for row in entry.compiler.results_iter([fetched])]
    paginator = Paginator((), PAGE_SIZE)
    if rows:
        paginator.count = rows[0]["list_total"]  # not queried
    elif number == 1:
        paginator.count = 0  # an empty list: its one empty page
    else:
        return None  # past the end: the ORM's path gives the last page
    return Page(rows, number, paginator)


def _departments():
    return OrgUnit.objects.filter(is_active=True).values_list("pk", "name")


def _categories():
    return selectors.categories().values_list("pk", "name")


def choices(build) -> list[tuple]:
    """``list(build())`` of a fixed values_list() queryset (the filters'
    choices: ``_departments``, ``_categories``), its SQL compiled once."""
    key = (build, connection.alias, connection.vendor)
    entry = _choices.get(key)
    if entry is None:
        compiler = build().query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        entry = _choices[key] = (sql, tuple(params), compiler)
    sql, params, compiler = entry
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    return [tuple(row) for row in compiler.results_iter([fetched])]


def departments() -> list[tuple]:
    return choices(_departments)


def categories() -> list[tuple]:
    return choices(_categories)
