"""The release desk's page as plain statements (issue 12).

``selectors.desk_page`` built ``release_desk`` (``items_visible_to`` with
its grant subqueries), counted it, paged its ids and loaded the page's items
with four joins and a prefetch: five ORM querysets compiled on every request,
about 12 ms of Python at 100,000 items, the SQL itself under 2 ms. Here the
same rule is written once as text (``infoflow.home_counts.visible_sql``, the
restatement of ``visibility_q`` the home counts use), the count rides along
the page's ids (a window count) and the page's rows and their records are
read by id: two statements, a third only for a page number past the end.

The ids are paged in a derived table of their own and the rows joined to
them afterwards: joined in the paging query, the visibility rule's estimate
(one row) made PostgreSQL loop over every release for each of the 500
publication items (80 ms). tests/publication/test_desk_reads.py compares
the pages with ``release_desk`` for every role.
"""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db import connection

from infoflow.home_counts import SqlParams, visible_sql
from infoflow.models import Confidentiality
from officers.roles import roles_of
from portal.home_figures import db_date, db_moment

from .month_reads import _ids, _run
from .selectors import RELEASED_STATES, acting_ids, is_publisher


class DeskRecord(NamedTuple):
    """A channel the item went out on, and when."""

    channel_name: str
    released_at: dt.datetime


class DeskPlan(NamedTuple):
    planned_on: dt.date | None
    state: str


class DeskRow(NamedTuple):
    """An item of the desk as ``publication_rows.desk_rows`` shows it:
    ``released`` is its release's first release time (None without a
    release or before the first), ``records`` its release's records newest
    first, ``plan`` its release's plan."""

    pk: int
    number: str
    subject: str
    state: str
    confidentiality: str
    unit_name: str
    released: dt.datetime | None
    records: list[DeskRecord]
    plan: DeskPlan | None


def _page_sql(sql: SqlParams, user, acting: list[int], query: str) -> str:
    """``release_desk(user)`` (subject holding ``query``): ids and the total.
    ``publishable_items`` asks kind "publication", ``release_desk`` "publication"
    or "notice": "publication" (the partial index item_publication_desk)."""
    desk = (f"i.kind = {sql.value('publication')} AND i.state IN {sql.values(RELEASED_STATES)} "
            f"AND NOT (i.confidentiality = {sql.value(Confidentiality.RESTRICTED)}) "
            f"AND {visible_sql(sql, user, roles_of(user), acting)}")
    if query:
        # subject__icontains as the ORM writes it on this backend.
        column = connection.ops.lookup_cast("icontains", "CharField") % "i.subject"
        pattern = sql.value("%%%s%%" % connection.ops.prep_for_like_query(query))
        desk += f" AND {column} {connection.operators['icontains'] % pattern}"
    return (f"SELECT i.id, COUNT(*) OVER () FROM infoflow_item i WHERE {desk} "
            "ORDER BY i.approved_at DESC, i.id DESC")


def desk_page_rows(user, *, query: str = "", number=None, per_page: int = 20) -> Page:
    """One page of ``selectors.release_desk(user)`` (items whose subject
    holds ``query``) as ``Paginator.get_page(number)`` pages it (not a
    number: the first page; past the end: the last), its object list
    ``DeskRow``s. Nothing for a user who is not a publisher."""
    paginator = Paginator([], per_page)
    if not is_publisher(user):
        paginator.count = 0
        return paginator.get_page(number)
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 1
    acting = acting_ids(user)  # rule 6: the principals' grants, for a deputy

    def ids_of(n):
        sql = SqlParams()
        statement = _page_sql(sql, user, acting, query)
        return _run(f"{statement} LIMIT {sql.value(per_page)} OFFSET {sql.value((n - 1) * per_page)}", sql.params)

    found = ids_of(number) if number >= 1 else []
    if not found and number != 1:  # out of range: the last page, as get_page shows
        first = ids_of(1)
        total = first[0][1] if first else 0
        number = max(1, -(-total // per_page))
        found = first if number == 1 else ids_of(number)
    paginator.count = found[0][1] if found else 0  # the cached property, known from the window count
    pks = [pk for pk, _total in found]
    return Page(_rows(pks), number, paginator)


def _rows(pks: list[int]) -> list[DeskRow]:
    """The desk's rows of the items ``pks``, in that order."""
    if not pks:
        return []
    sql = SqlParams()
    rows = _run(
        "SELECT i.id, i.number, i.subject, i.state, i.confidentiality, u.name, r.id, r.first_released_at, "
        "p.planned_on, p.state FROM infoflow_item i JOIN officers_orgunit u ON u.id = i.unit_id "
        "LEFT JOIN publication_release r ON r.item_id = i.id LEFT JOIN publication_releaseplan p ON p.release_id = r.id "
        f"WHERE i.id {_ids(sql, pks)}", sql.params)
    releases = [row[6] for row in rows if row[6] is not None]
    records: dict[int, list[DeskRecord]] = {}
    if releases:
        sql = SqlParams()
        # The records' own order (ReleaseRecord.Meta.ordering), as the prefetch read them.
        for release_id, channel_name, released_at in _run(
                "SELECT rr.release_id, rr.channel_name, rr.released_at FROM publication_releaserecord rr "
                f"WHERE rr.release_id {_ids(sql, releases)} ORDER BY rr.released_at DESC, rr.id DESC", sql.params):
            records.setdefault(release_id, []).append(DeskRecord(channel_name, db_moment(released_at)))
    by_pk = {}
    for pk, number, subject, state, confidentiality, unit, release_id, released, planned_on, plan_state in rows:
        plan = DeskPlan(db_date(planned_on), plan_state) if plan_state is not None else None
        by_pk[pk] = DeskRow(pk, number, subject, state, confidentiality, unit, db_moment(released),
                            records.get(release_id, []), plan)
    return [by_pk[pk] for pk in pks]
