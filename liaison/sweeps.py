"""One runner for every deadline sweep (reminders, overdue notices,
escalation, archive due, officer filings…).

An app describes each kind of due case as a ``Sweep`` and registers it from
its AppConfig.ready() (framework glue; this module imports no app). Every
kind claims its cases the same way, with a per-case cursor like healthchecks'
``alert_after``: the case's row carries ``notice_at``, the next moment the
sweep has something to say about it (NULL: not looked at yet; ``NEVER``:
nothing more to say). The runner, per kind and in batches:

1. lists the ids of the open cases whose cursor is due, then claims them a
   batch at a time by id, checking again that each is due, ``FOR UPDATE
   SKIP LOCKED`` (two sweeps at once take disjoint cases; a case being
   acted on right now is left for the next minute);
2. lets the kind write its notices through the outbox
   (``liaison.notifications.write``) and set each row's next ``notice_at``;
3. inserts the batch's notices with one INSERT … ON CONFLICT DO NOTHING per
   thousand rows and moves the cursors with one UPDATE, in the same
   transaction — so a killed sweep leaves either both or neither.

The cursor is the one claim: a case's notices are handed to the insert only
by the sweep holding its row lock, and only once the cursor has not passed
them. Notification's unique (recipient, key) is an integrity backstop that
no sweep relies on (tests/infoflow/test_sweep_claim.py).

A kind's due cases are listed once (their ids, up to COLLECT at a time) and
then claimed batch by batch by id: a batch's claim never walks again the
index entries the previous batches' cursor updates left dead (until vacuum),
so a sweep of many batches stays linear.

A sweep that did not run for an hour catches up with one notice per case,
never one per missed minute. With nothing due, the whole run is one
statement, prepared once per connection on PostgreSQL (LIAISON_DB_PREPARE): each kind's first
partial-index entry (the cursor ascending, NULLs first: an unseen case, or
else the earliest cursor), one index probe per kind.
"""
from __future__ import annotations

import datetime as dt
import gc
import logging
from contextlib import contextmanager
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import BooleanField, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from psycopg.types.datetime import TimestamptzLoader

from liaison import notifications
from liaison.workdays import is_workday

log = logging.getLogger(__name__)

# Cases per transaction: one claim, one INSERT per thousand notices, one
# UPDATE per next moment, one commit. 2,500 rather than 1,000: the fixed
# cost of a batch (its queries for the people and the ladder, the commit's
# flush) is then a smaller share, and a claimed case waits at most one
# batch (well under a second) for a decision on it.
BATCH = 2500
COLLECT = 20 * BATCH  # due ids listed at a time (50,000), then claimed BATCH by BATCH
# "Nothing more to say about this case": far beyond any deadline, so the
# due-range scan never reaches it.
NEVER = dt.datetime(9999, 1, 1, tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class Sweep:
    """One kind of due case.

    ``open_cases()`` gives the rows that may still need a notice (its filter
    matches the condition of the kind's partial index on ``cursor``);
    ``handle(rows, now)`` writes what is due for each row and sets
    ``row.<cursor>`` (``row[cursor]`` for a kind with ``fields``) to the
    next moment (or ``NEVER``), loading what it needs for the whole batch at
    once (``among()`` for the batch's ids)."""

    name: str
    open_cases: Callable[[], QuerySet]
    handle: Callable[[list, dt.datetime], None]
    cursor: str = "notice_at"
    select_related: tuple = field(default_factory=tuple)
    defer: tuple = field(default_factory=tuple)  # large columns a handler never reads
    order: int = 100
    # Set-wise kinds name the columns they read: the batch is then read with
    # .values(*fields) (plus "pk" and the cursor) and ``handle`` gets dicts,
    # setting ``row[cursor]`` — no model objects for a batch of thousands.
    fields: tuple = field(default_factory=tuple)

    def due(self, now) -> QuerySet:
        return self.open_cases().filter(Q(**{f"{self.cursor}__isnull": True}) | Q(**{f"{self.cursor}__lte": now}))


_REGISTRY: dict[str, Sweep] = {}


def register(sweep: Sweep) -> Sweep:
    """Add a kind of due case (called from an AppConfig.ready())."""
    _REGISTRY[sweep.name] = sweep
    return sweep


def registered() -> list[Sweep]:
    return sorted(_REGISTRY.values(), key=lambda s: (s.order, s.name))


# Two stand-ins for "now" while the probe is compiled once per set of kinds:
# the parameters that differ between the two compilations are "now".
_MARKS = (dt.datetime(1901, 1, 1, tzinfo=dt.timezone.utc), dt.datetime(1902, 2, 2, tzinfo=dt.timezone.utc))
_probes: dict[tuple, tuple[str, list, set]] = {}


def _compile(sweeps, mark) -> tuple[str, list]:
    parts, params = [], []
    for sweep in sweeps:
        # No ORDER BY: a model's default ordering would join for nothing.
        sql, args = sweep.due(mark).order_by().values("pk")[:1].query.sql_with_params()
        parts.append(f"EXISTS ({sql})")
        params.extend(args)
    return "SELECT " + ", ".join(parts), params


def _probe(sweeps) -> tuple[str, list, set]:
    key = (connection.vendor, *(s.name for s in sweeps))
    if key not in _probes:
        (sql, one), (_sql, two) = _compile(sweeps, _MARKS[0]), _compile(sweeps, _MARKS[1])
        _probes[key] = (sql, one, {i for i, (a, b) in enumerate(zip(one, two)) if a != b})
    return _probes[key]


# PostgreSQL: the idle probe as one statement whose only parameter is "now".
_NOW_MARK = "liaison_sweep_now_mark"  # where "now" goes (no column or value is named so)
_statements: dict[tuple, tuple[str, int]] = {}


def _literal(query) -> str:
    """A queryset's SQL with its (constant) parameters inlined: the partial
    indexes' conditions stay visible to the planner when the statement,
    whose one parameter is "now", is prepared and planned once."""
    return connection.ops.compose_sql(*query.query.sql_with_params())


def _statement(sweeps) -> tuple[str, int]:
    """(SQL, how many times it names "now") of the probe: per kind, the first entry of its partial
    index (liaison.indexes.cursor_index: the cursor ascending, NULLs first)
    — true when it is NULL (a case not looked at yet) or at or before now,
    false when it is later, NULL when the kind has no open case. One index
    probe per kind. "Now" appears only in the select list, so the plan is
    the same whatever it is: with LIAISON_DB_PREPARE psycopg prepares the
    statement on its second run on a connection (liaison.settings), and it
    is planned once."""
    key = tuple(s.name for s in sweeps)
    if key not in _statements:
        quote = connection.ops.quote_name
        parts = []
        for sweep in sweeps:
            cases = sweep.open_cases()
            column = "%s.%s" % (quote(cases.model._meta.db_table),
                                quote(cases.model._meta.get_field(sweep.cursor).column))
            first = cases.annotate(
                _due=RawSQL(f"{column} IS NULL OR {column} <= {_NOW_MARK}", (), output_field=BooleanField())
            ).order_by(F(sweep.cursor).asc(nulls_first=True)).values("_due")[:1]
            parts.append(f"COALESCE(({_literal(first)}), false)")
        # The constants inlined, then "now" made the one placeholder (the SQL's own % doubled).
        sql = ("SELECT " + ", ".join(parts)).replace("%", "%%")
        _statements[key] = (sql.replace(_NOW_MARK, "%s"), sql.count(_NOW_MARK))
    return _statements[key]


def _probe_flags(now, sweeps) -> list[bool]:
    sql, count = _statement(sweeps)
    with connection.cursor() as cursor:
        cursor.execute(sql, [now] * count)
        return cursor.fetchone()


def kinds_due(now, sweeps=None) -> list[Sweep]:
    """Which kinds have a due case, in one statement (the idle case). On
    PostgreSQL the statement is prepared once per connection (LIAISON_DB_PREPARE) and reads each
    kind's first partial-index entry: the idle sweep costs one index probe
    per kind and no planning. Elsewhere one EXISTS per kind."""
    sweeps = list(sweeps if sweeps is not None else registered())
    if not sweeps:
        return []
    if connection.vendor == "postgresql":
        return [s for s, flag in zip(sweeps, _probe_flags(now, sweeps)) if flag]
    sql, params, now_at = _probe(sweeps)
    value = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(sql, [value if i in now_at else p for i, p in enumerate(params)])
        flags = cursor.fetchone()
    return [s for s, flag in zip(sweeps, flags) if flag]


def _next(row, cursor):
    return row[cursor] if isinstance(row, dict) else getattr(row, cursor)


def _ids(ids) -> str:
    """A batch of integer ids as one PostgreSQL array literal (bound as one
    text parameter and cast): building it is a join, where the driver's
    list adaptation quotes each element."""
    return "{%s}" % ",".join(map(str, ids))


def _move_cursors(model, rows, cursor) -> None:
    """Set-wise: one UPDATE per distinct next moment (a batch of cases
    overdue together mostly shares one); on PostgreSQL with the ids as one
    array parameter (``id = ANY(%s)``), not a thousand placeholders. The
    cursor is not a tracked field (excluded from history), so a plain UPDATE
    is fine."""
    groups: dict = {}
    for row in rows:
        groups.setdefault(_next(row, cursor), []).append(row["pk"] if isinstance(row, dict) else row.pk)
    if connection.vendor != "postgresql":
        for moment, pks in groups.items():
            model.objects.filter(pk__in=pks).update(**{cursor: moment})
        return
    meta = model._meta
    column = meta.get_field(cursor).column
    sql = "UPDATE %s SET %s = %%s WHERE %s = ANY(%%s::bigint[])" % (
        connection.ops.quote_name(meta.db_table), connection.ops.quote_name(column),
        connection.ops.quote_name(meta.pk.column))
    with connection.cursor() as db:
        for moment, pks in groups.items():
            db.execute(sql, [connection.ops.adapt_datetimefield_value(moment), _ids(pks)])


def among(model, field: str, ids):
    """A filter: ``field`` is one of ``ids`` (a batch's thousand integer
    ids). On PostgreSQL ``= ANY(array)``, one parameter, which compiles and
    binds in a fraction of the time of a thousand placeholders; elsewhere
    ``__in``."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": list(ids)})
    quote = connection.ops.quote_name
    target = model._meta.pk if field == "pk" else model._meta.get_field(field)
    column = "%s.%s" % (quote(model._meta.db_table), quote(target.column))
    return RawSQL(column + " = ANY(%s::bigint[])", (_ids(ids),), output_field=BooleanField())


def _due_ids(sweep: Sweep, now) -> list:
    """Up to COLLECT ids of due cases (no lock: each batch is claimed, and
    its due condition checked again, by ``_claim``)."""
    return list(sweep.due(now).order_by().values_list("pk", flat=True)[:COLLECT])


def _claim(sweep: Sweep, now, ids) -> list:
    """Those of ``ids`` still due, locked (FOR UPDATE SKIP LOCKED): a case
    another sweep holds, or has moved on meanwhile, is left out. Found by
    primary key, in no particular order (SKIP LOCKED never waits, so the
    lock order cannot deadlock)."""
    cases = sweep.open_cases()
    model = cases.model
    if connection.vendor == "postgresql":
        # The cursor inside an expression: the planner finds the batch by
        # primary key, never through the cursor's partial index and the dead
        # entries the previous batches left in it.
        column = "%s.%s" % (connection.ops.quote_name(model._meta.db_table),
                            connection.ops.quote_name(model._meta.get_field(sweep.cursor).column))
        cases = cases.filter(RawSQL(f"COALESCE({column}, '-infinity') <= %s", (now,), output_field=BooleanField()))
    else:
        cases = sweep.due(now)
    query = cases.filter(among(model, "pk", ids)).select_for_update(skip_locked=True, of=("self",)).order_by()
    if sweep.fields:
        return _dicts(query.values("pk", sweep.cursor, *sweep.fields))
    return list(query.select_related(*sweep.select_related).defer(*sweep.defer))


def _dicts(values) -> list[dict]:
    """``list(values)`` for a ``.values()`` queryset of plain columns (no
    converters). On PostgreSQL its timestamps are read by psycopg's own C
    loader: Django's, which sets the same UTC tzinfo, parses each in Python,
    and a batch has thousands (the session's time zone is UTC, so the values
    are the same aware datetimes)."""
    if connection.vendor != "postgresql":
        return list(values)
    query = values.query
    names = [*query.extra_select, *query.values_select, *query.annotation_select]
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)  # this cursor only
        cursor.execute(sql, params)
        return [dict(zip(names, row)) for row in cursor.fetchall()]


@contextmanager
def _collector_paused():
    """A batch builds hundreds of thousands of short-lived objects (rows,
    dicts, texts) that reference counting frees; left on, the cyclic
    collector walks the whole process heap several times per batch — about
    15 % of a 1 % sweep at 1,000,000 steps (bench/sweep.py: 1,028 ms with it,
    851 ms without). It resumes, and catches any cycle, after the batch."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run_one(sweep: Sweep, now, collect: bool = True) -> list:
    """Handle every due case of one kind; return the notices inserted (read
    back), or with ``collect=False`` the rows written, not read back. One
    transaction per batch: its claim, its notices, its cursors."""
    model = sweep.open_cases().model
    sent = []
    while True:
        ids = _due_ids(sweep, now)
        for start in range(0, len(ids), BATCH):
            with _collector_paused(), transaction.atomic():
                rows = _claim(sweep, now, ids[start : start + BATCH])
                if not rows:
                    continue
                with notifications.batch(fetch=collect) as written:
                    sweep.handle(rows, now)
                _move_cursors(model, rows, sweep.cursor)
            sent += written
            stuck = [r for r in rows if _next(r, sweep.cursor) is None or _next(r, sweep.cursor) <= now]
            if stuck:  # a handler that left a cursor behind would loop forever
                pk = stuck[0]["pk"] if isinstance(stuck[0], dict) else stuck[0].pk
                raise RuntimeError("sweep %s left the cursor of %s at or before now" % (sweep.name, pk))
        if len(ids) < COLLECT:
            return sent


def run(now=None, *, collect: bool = True) -> list:
    """Run every registered sweep at ``now``; return the notices inserted
    (``collect=False``: the rows written, not read back — what beat needs).
    Safe to run twice, late, or two at once."""
    now = now or timezone.now()
    due = kinds_due(now)
    if not due:
        return []
    # Load this year's calendar before any transaction: a year filled inside
    # one is not cached until it commits (liaison.workdays), which would make
    # every working-time sum below read the calendar table again.
    is_workday(timezone.localtime(now).date())
    sent = []
    for sweep in due:
        sent += run_one(sweep, now, collect)
    if sent:
        log.info("deadline sweep sent %d notices", len(sent))
    return sent
