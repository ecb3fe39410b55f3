"""One runner for every deadline sweep (reminders, overdue notices,
escalation, archive due, officer filings…).

An app describes each kind of due case as a ``Sweep`` and registers it from
its AppConfig.ready() (framework glue; this module imports no app). Every
kind claims its cases the same way, with a per-case cursor like healthchecks'
``alert_after``: the case's row carries ``notice_at``, the next moment the
sweep has something to say about it (NULL: not looked at yet; ``NEVER``:
nothing more to say). The runner, per kind and in batches:

1. selects the open cases whose cursor is due, ``FOR UPDATE SKIP LOCKED``
   (two sweeps at once take disjoint cases; a case being acted on right now
   is left for the next minute);
2. lets the kind write its notices through the outbox
   (``liaison.notifications.write``) and set each row's next ``notice_at``;
3. inserts the batch's notices with one INSERT … ON CONFLICT DO NOTHING per
   thousand rows and moves the cursors with one UPDATE, in the same
   transaction — so a killed sweep leaves either both or neither.

The cursor is the one claim: a case's notices are handed to the insert only
by the sweep holding its row lock, and only once the cursor has not passed
them. Notification's unique (recipient, key) is an integrity backstop that
no sweep relies on (tests/infoflow/test_sweep_claim.py).

A sweep that did not run for an hour catches up with one notice per case,
never one per missed minute. With nothing due, the whole run is one
statement: one EXISTS per kind on its partial index.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from liaison import notifications
from liaison.workdays import is_workday

log = logging.getLogger(__name__)

BATCH = 1000  # cases per transaction: one INSERT of their notices, one UPDATE per next moment
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


def kinds_due(now, sweeps=None) -> list[Sweep]:
    """Which kinds have a due case, in one statement (the idle case). The
    statement is compiled once and its text stays the same, so the driver
    prepares it after a few runs: the idle sweep costs about one index probe
    per kind."""
    sweeps = list(sweeps if sweeps is not None else registered())
    if not sweeps:
        return []
    sql, params, now_at = _probe(sweeps)
    value = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(sql, [value if i in now_at else p for i, p in enumerate(params)])
        flags = cursor.fetchone()
    return [s for s, flag in zip(sweeps, flags) if flag]


def _next(row, cursor):
    return row[cursor] if isinstance(row, dict) else getattr(row, cursor)


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
    sql = "UPDATE %s SET %s = %%s WHERE %s = ANY(%%s)" % (
        connection.ops.quote_name(meta.db_table), connection.ops.quote_name(column),
        connection.ops.quote_name(meta.pk.column))
    with connection.cursor() as db:
        for moment, pks in groups.items():
            db.execute(sql, [connection.ops.adapt_datetimefield_value(moment), pks])


def among(model, field: str, ids):
    """A filter: ``field`` is one of ``ids`` (a batch's thousand ids). On
    PostgreSQL ``= ANY(array)``, one parameter, which compiles and binds in
    a third of the time of a thousand placeholders; elsewhere ``__in``."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": list(ids)})
    quote = connection.ops.quote_name
    column = "%s.%s" % (quote(model._meta.db_table), quote(model._meta.get_field(field).column))
    return RawSQL(column + " = ANY(%s)", (list(ids),), output_field=BooleanField())


def _claim(sweep: Sweep, now) -> list:
    """The next batch of due cases, locked (FOR UPDATE SKIP LOCKED). In no
    particular order: ORDER BY would join and sort every due case for each
    batch (quadratic over a large sweep), and SKIP LOCKED never waits, so the
    lock order cannot deadlock."""
    query = sweep.due(now).select_for_update(skip_locked=True, of=("self",)).order_by()
    if sweep.fields:
        return list(query.values("pk", sweep.cursor, *sweep.fields)[:BATCH])
    return list(query.select_related(*sweep.select_related).defer(*sweep.defer)[:BATCH])


def run_one(sweep: Sweep, now, collect: bool = True) -> list:
    """Handle every due case of one kind; return the notices inserted (read
    back), or with ``collect=False`` the rows written, not read back."""
    model = sweep.open_cases().model
    sent = []
    while True:
        with transaction.atomic():
            rows = _claim(sweep, now)
            if not rows:
                return sent
            with notifications.batch(fetch=collect) as written:
                sweep.handle(rows, now)
            _move_cursors(model, rows, sweep.cursor)
        sent += written
        stuck = [r for r in rows if _next(r, sweep.cursor) is None or _next(r, sweep.cursor) <= now]
        if stuck:  # a handler that left a cursor behind would loop forever
            pk = stuck[0]["pk"] if isinstance(stuck[0], dict) else stuck[0].pk
            raise RuntimeError("sweep %s left the cursor of %s at or before now" % (sweep.name, pk))
        if len(rows) < BATCH:
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
