"""The monthly summary's and the release calendar's reads as plain statements (issue 12).

Built with the ORM, each of these reads compiled the visibility rule's
subquery (``selectors.item_visible_q``) on every request: three such
querysets cost /briefs/summary/ more Python than its rows and its template
together. Their SQL is the same on every request but for the user's ids,
units and the month, so here it is written once as text with named
parameters (``infoflow.home_counts.SqlParams``), the rule as
``infoflow.home_counts.visible_sql`` states it: the same rows, each
record's or plan's item tested on its own by one probe of its primary key
(a per-row test, so a month's records read only themselves; see
``selectors.item_visible_q`` for why not a join).

tests/publication/test_month_reads.py compares every function here with the
selectors it restates, for every role and for a deputy.
"""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db import connection

from infoflow import compiled
from infoflow.home_counts import SqlParams, visible_sql
from infoflow.models import Confidentiality
from officers.roles import roles_of
from portal.home import Person
from portal.home_figures import db_date, db_moment

from .models import Channel, ReleasePlan
from .selectors import RELEASED_STATES


def _run(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _ids(sql: SqlParams, ids) -> str:
    """``IN (…)`` of ``ids`` (a non-empty list of ints). On PostgreSQL one
    array parameter written as its text (``{1,2,…}``): a parameter per id
    made the driver split the query text per id, and a list parameter is
    dumped element by element (0.5 ms for a month's 500 items)."""
    if connection.vendor == "postgresql":
        return f"= ANY(CAST({sql.value('{%s}' % ','.join(map(str, map(int, ids))))} AS bigint[]))"
    return f"IN {sql.values(ids)}"


def visible_item_probe(sql: SqlParams, user, acting: list[int], item_column: str) -> str | None:
    """``selectors.item_visible_q(user, …, acting)`` on the item whose id is
    ``item_column`` (``"r.item_id"``), None for nothing (an anonymous or
    inactive user): ``(SELECT i.id … LIMIT 1) IS NOT NULL``, one probe of
    the item's primary key per row with the grant probed inside it."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    rule = visible_sql(sql, user, roles_of(user), acting)
    return f"(SELECT i.id FROM infoflow_item i WHERE i.id = {item_column} AND {rule} LIMIT 1) IS NOT NULL"


def month_records(user, acting: list[int], start: dt.datetime, end: dt.datetime) -> list[tuple]:
    """``records_visible_to(user, acting)`` released in [``start``, ``end``)
    as ``(release_id, item_id, channel_name, channel_kind, views)``, ordered
    by channel name and release (briefs.summary; ``first_released`` gives
    the times of the releases it lists)."""
    sql = SqlParams()
    probe = visible_item_probe(sql, user, acting, "r.item_id")
    if probe is None:
        return []
    return _run(
        "SELECT rr.release_id, r.item_id, rr.channel_name, rr.channel_kind, rr.views "
        "FROM publication_releaserecord rr JOIN publication_release r ON r.id = rr.release_id "
        f"WHERE rr.released_at >= {sql.value(start)} AND rr.released_at < {sql.value(end)} AND {probe} "
        "ORDER BY rr.channel_name, rr.release_id", sql.params)


def first_released(release_ids, start: dt.datetime, end: dt.datetime) -> dict[int, dt.datetime]:
    """``{release id: its first record's time}`` among the records of
    ``release_ids`` released in [``start``, ``end``). No visibility test:
    the caller read the releases through it (``month_records``), and a
    release's records share its item."""
    if not release_ids:
        return {}
    sql = SqlParams()
    rows = _run(
        "SELECT rr.release_id, MIN(rr.released_at) FROM publication_releaserecord rr "
        f"WHERE rr.release_id {_ids(sql, sorted(release_ids))} AND rr.released_at >= {sql.value(start)} "
        f"AND rr.released_at < {sql.value(end)} GROUP BY rr.release_id", sql.params)
    return {pk: db_moment(first) for pk, first in rows}


def item_names(ids) -> dict[int, tuple]:
    """``{item id: (number, subject, unit name)}`` of the items ``ids`` (the
    caller read them through a visibility rule)."""
    if not ids:
        return {}
    sql = SqlParams()
    rows = _run("SELECT i.id, i.number, i.subject, u.name FROM infoflow_item i "
                f"JOIN officers_orgunit u ON u.id = i.unit_id WHERE i.id {_ids(sql, sorted(ids))}", sql.params)
    return {pk: (number, subject, unit) for pk, number, subject, unit in rows}


def feedback_counts(user, acting: list[int], start: dt.datetime, end: dt.datetime,
                    release_ids) -> list[tuple]:
    """``feedback_visible_to(user, acting)`` left in [``start``, ``end``) or on
    one of ``release_ids``, counted per release: ``(release_id, the item's
    unit name, count left in the month, count)``. The bulletin's arm as
    ``feedback_visible_to`` writes it (a public item still released, a
    bulletin record) or the visibility rule, both tested in one probe of the
    release's item: joined to the item, the query took 1.6 ms to plan (the
    item table's partial indexes checked against the rule's OR), as a
    probe 0.5 ms."""
    sql = SqlParams()
    in_month = f"(f.created_at >= {sql.value(start)} AND f.created_at < {sql.value(end)})"
    scope = f"({in_month} OR f.release_id {_ids(sql, sorted(release_ids))})" if release_ids else in_month
    on_bulletin = (
        f"(i.confidentiality = {sql.value(Confidentiality.PUBLIC)} AND i.state IN {sql.values(RELEASED_STATES)} "
        "AND r.first_released_at IS NOT NULL AND EXISTS (SELECT 1 FROM publication_releaserecord b "
        f"WHERE b.release_id = f.release_id AND b.channel_kind = {sql.value(Channel.Kind.BULLETIN)}))")
    if user is not None and user.is_authenticated and user.is_active:
        readable = f"({on_bulletin} OR {visible_sql(sql, user, roles_of(user), acting)})"
    else:
        readable = on_bulletin
    # A release's item, hence its unit, is one: grouped by release and item, as by release and unit name.
    return _run(
        "SELECT f.release_id, (SELECT u.name FROM infoflow_item i JOIN officers_orgunit u ON u.id = i.unit_id "
        f"WHERE i.id = r.item_id), COUNT(CASE WHEN {in_month} THEN 1 END), COUNT(*) "
        "FROM publication_feedback f JOIN publication_release r ON r.id = f.release_id "
        f"WHERE {scope} AND (SELECT i.id FROM infoflow_item i WHERE i.id = r.item_id AND {readable} LIMIT 1) "
        "IS NOT NULL GROUP BY f.release_id, r.item_id", sql.params)


def adoption_counts(start: dt.datetime, end: dt.datetime) -> list[tuple]:
    """Adoption records made in [``start``, ``end``) counted per unit of
    their item and level: ``(unit name, level, count)``. Every record: the
    caller checked the reader is the secretariat (``briefs.selectors.adoptions_visible_to``)."""
    sql = SqlParams()
    return _run(
        "SELECT u.name, a.level, COUNT(*) FROM briefs_adoption a JOIN infoflow_item i ON i.id = a.item_id "
        f"JOIN officers_orgunit u ON u.id = i.unit_id WHERE a.recorded_at >= {sql.value(start)} "
        f"AND a.recorded_at < {sql.value(end)} GROUP BY u.name, a.level", sql.params)


def published_issues(start: dt.datetime, end: dt.datetime) -> list:
    """Bulletin issues published in [``start``, ``end``), by number, each a
    ``BulletinIssue`` with ``pk``, ``title``, ``year``, ``number`` and
    ``issue_date`` loaded (the rest deferred) and ``entry_count``."""
    from briefs.models import BulletinIssue

    sql = SqlParams()
    rows = _run(
        "SELECT b.id, b.title, b.year, b.number, b.issue_date, "
        "(SELECT COUNT(*) FROM briefs_bulletinentry e WHERE e.issue_id = b.id) FROM briefs_bulletinissue b "
        f"WHERE b.state = {sql.value(BulletinIssue.State.PUBLISHED)} AND b.published_at >= {sql.value(start)} "
        f"AND b.published_at < {sql.value(end)} ORDER BY b.number", sql.params)
    issues = []
    db = connection.alias
    for pk, title, year, number, issue_date, entry_count in rows:
        issue = BulletinIssue.from_db(db, ["id", "title", "year", "number", "issue_date"],
                                      (pk, title, year, number, db_date(issue_date)))
        issue.entry_count = entry_count
        issues.append(issue)
    return issues


class ItemRef(NamedTuple):
    """What the calendar shows of an item: its id and subject."""

    id: int
    subject: str


class ReleaseRef(NamedTuple):
    """A release as the calendar reads it: ``item_id`` and ``item``."""

    item_id: int
    item: ItemRef


class DoneRecord(NamedTuple):
    """A release record of the calendar (``calendar_done_rows``): when, which
    item, who released it."""

    pk: int
    channel_id: int
    released_at: dt.datetime
    release: ReleaseRef
    released_by: Person


class PlannedRow(NamedTuple):
    """A release plan of the calendar: the day, the item, who is in charge."""

    pk: int
    planned_on: dt.date
    release: ReleaseRef
    person_in_charge: Person


def calendar_channels() -> list:
    """Every channel (``Channel`` instances) in the secretariat's order,
    through SQL compiled once per process (``infoflow.compiled``)."""
    return compiled.rows(_channels)


def _channels():
    return Channel.objects.all()


def calendar_plans(user, acting: list[int], first: dt.date, last: dt.date) -> list[tuple[PlannedRow, list[int]]]:
    """``plans_visible_to(user, acting)`` still planned for a day in
    [``first``, ``last``], by day and id, each with the ids of its channels."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    sql = SqlParams()
    day = connection.ops.adapt_datefield_value
    rows = _run(
        "SELECT p.id, p.planned_on, r.item_id, (SELECT i.subject FROM infoflow_item i WHERE i.id = r.item_id), "
        "u.username, u.first_name, u.last_name FROM publication_releaseplan p "
        "JOIN publication_release r ON r.id = p.release_id JOIN auth_user u ON u.id = p.person_in_charge_id "
        f"WHERE p.planned_on >= {sql.value(day(first))} AND p.planned_on <= {sql.value(day(last))} "
        f"AND p.state = {sql.value(ReleasePlan.State.PLANNED)} AND (p.person_in_charge_id = {sql.value(user.pk)} "
        f"OR {visible_item_probe(sql, user, acting, 'r.item_id')}) ORDER BY p.planned_on, p.id", sql.params)
    if not rows:
        return []
    sql = SqlParams()
    channels: dict[int, list[int]] = {}
    for plan_id, channel_id in _run(
            "SELECT c.releaseplan_id, c.channel_id FROM publication_releaseplan_channels c "
            f"WHERE c.releaseplan_id {_ids(sql, sorted(r[0] for r in rows))}", sql.params):
        channels.setdefault(plan_id, []).append(channel_id)
    return [(PlannedRow(pk, db_date(planned_on), ReleaseRef(item_id, ItemRef(item_id, subject)),
                        Person(username, first_name, last_name)), channels.get(pk, []))
            for pk, planned_on, item_id, subject, username, first_name, last_name in rows]


def calendar_records(user, acting: list[int], start: dt.datetime, end: dt.datetime,
                     limit: int) -> list[tuple[DoneRecord, int]]:
    """The newest ``limit`` of ``records_visible_to(user, acting)`` released
    in [``start``, ``end``) on each channel, by channel, newest first, each
    with the channel's count of such records (a window count over the same
    rows, not a second pass). The item's subject is a probe of its primary
    key per listed row: as a join, the planner could hash the item table."""
    sql = SqlParams()
    probe = visible_item_probe(sql, user, acting, "r.item_id")
    if probe is None:
        return []
    rows = _run(
        "SELECT x.id, x.channel_id, x.released_at, x.in_channel, r.item_id, "
        "(SELECT i.subject FROM infoflow_item i WHERE i.id = r.item_id), u.username, u.first_name, u.last_name "
        "FROM (SELECT rr.id, rr.channel_id, rr.release_id, rr.released_at, rr.released_by_id, "
        "ROW_NUMBER() OVER (PARTITION BY rr.channel_id ORDER BY rr.released_at DESC, rr.id DESC) AS rank, "
        "COUNT(*) OVER (PARTITION BY rr.channel_id) AS in_channel "
        "FROM publication_releaserecord rr JOIN publication_release r ON r.id = rr.release_id "
        f"WHERE rr.released_at >= {sql.value(start)} AND rr.released_at < {sql.value(end)} AND {probe}) x "
        "JOIN publication_release r ON r.id = x.release_id JOIN auth_user u ON u.id = x.released_by_id "
        f"WHERE x.rank <= {sql.value(limit)} ORDER BY x.channel_id, x.released_at DESC, x.id DESC", sql.params)
    return [(DoneRecord(pk, channel_id, db_moment(released_at), ReleaseRef(item_id, ItemRef(item_id, subject)),
                        Person(username, first_name, last_name)), in_channel)
            for pk, channel_id, released_at, in_channel, item_id, subject, username, first_name, last_name in rows]
