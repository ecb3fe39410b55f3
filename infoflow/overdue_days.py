"""The overdue day totals (``models.OverdueDay``), kept by database triggers
on the review step and receiver tables so that no write path can leave them
stale — the services, the admin, ``QuerySet.update``, ``bulk_create``, the
item copies' own triggers (``infoflow.item_copies``) and deletes alike
(issue 12; as ``infoflow.item_months``):

- a row that has a deadline (``deadline_sql``: an open step's due time; a
  sent or acknowledged receiver's first limit while its item is
  transmitted) adds one to its key (kind, receiving unit, its copies of
  the item's columns, the deadline's local day);
- a deleted row takes one from its key; an updated one moves its one.

The triggers only append delta rows (+1, -1), never update one, so writers
never wait on each other; readers add up ``n``. ``compact`` (the beat's
``compact_month_totals``) folds each key's rows into one, the days of past
months into the first day of their month: the on-time page only asks how
many fall before today (``infoflow.ontime``). ``rebuild`` counts afresh.

The day is the local day in settings.TIME_ZONE when ``install`` ran
(PostgreSQL ``AT TIME ZONE``; SQLite through Django's registered
``django_datetime_cast_date``); after changing TIME_ZONE run ``install``
and ``rebuild`` again.
"""
from __future__ import annotations

import datetime as dt

from .item_months import _FOLD_LOCK, _zone, install_triggers, recount

TABLE = "infoflow_overdueday"
COLUMNS = ("kind", "unit_id", "item_unit_id", "item_state", "item_confidentiality", "item_to_all_staff")
COPIES = ("item_unit_id", "item_state", "item_confidentiality", "item_to_all_staff")
STEP, RECEIVER = "step", "receiver"
# What each table's deadline and key read: the update triggers fire when one of them is written.
SOURCES = {
    "infoflow_reviewstep": ("state", "due_at", *COPIES),
    "infoflow_receiver": ("state", "response_due_at", "answer_due_at", "unit_id", *COPIES),
}


def deadline_sql(table: str, row: str) -> str:
    """The SQL of ``row``'s deadline (NULL: none), ``row`` a table alias, NEW or OLD."""
    if table == "infoflow_reviewstep":
        return f"CASE WHEN {row}.state = 'open' THEN {row}.due_at END"
    r, a = f"{row}.response_due_at", f"{row}.answer_due_at"
    # The receipt's limit while sent and the answer's, the earlier of them (either may be NULL):
    # the first missed of ``ontime.overdue_receiver_parts``' two parts.
    return (f"CASE WHEN {row}.item_state <> 'transmitted' THEN NULL "
            f"WHEN {row}.state = 'acknowledged' THEN {a} "
            f"WHEN {row}.state <> 'sent' THEN NULL "
            f"WHEN {r} IS NULL THEN {a} WHEN {a} IS NULL OR {r} < {a} THEN {r} ELSE {a} END")


def _day_sql(vendor: str, moment: str, connection=None) -> str:
    if vendor == "postgresql":
        return f"(({moment}) AT TIME ZONE '{_zone()}')::date"
    return f"django_datetime_cast_date({moment}, '{_zone()}', '{connection.timezone_name}')"


def _delta(table: str, row: str, step: int, vendor: str, connection=None) -> str:
    kind = STEP if table == "infoflow_reviewstep" else RECEIVER
    unit = "NULL" if kind == STEP else f"{row}.unit_id"
    deadline = deadline_sql(table, row)
    values = ", ".join([f"'{kind}'", unit, *(f"{row}.{c}" for c in COPIES)])
    return (f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}, day, n) "
            f"SELECT {values}, {_day_sql(vendor, deadline, connection)}, {step} WHERE ({deadline}) IS NOT NULL;")


def _function(table: str) -> str:
    return f"{table}_overdue_days"


def _postgresql() -> list[str]:
    statements = []
    for table, sources in SOURCES.items():
        name = _function(table)
        statements += [
            f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_delta(table, 'OLD', -1, 'postgresql')}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_delta(table, 'NEW', 1, 'postgresql')}
    END IF;
    RETURN NULL;
END $$;
""",
            f"CREATE TRIGGER {name}_insert_delete AFTER INSERT OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}()",
            f"CREATE TRIGGER {name}_update AFTER UPDATE OF {', '.join(sources)} ON {table} FOR EACH ROW "
            f"WHEN ({' OR '.join(f'OLD.{c} IS DISTINCT FROM NEW.{c}' for c in sources)}) EXECUTE FUNCTION {name}()",
        ]
    return statements


def _sqlite(connection) -> list[str]:
    # SQLite: the item copies' AFTER triggers write a new row's copies with an UPDATE, which fires the
    # update trigger here (the insert's +1 of the row as inserted moves to its copied key).
    statements = []
    for table, sources in SOURCES.items():
        name = _function(table)
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in sources)
        statements += [
            f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} "
            f"BEGIN {_delta(table, 'NEW', 1, 'sqlite', connection)} END",
            f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} "
            f"BEGIN {_delta(table, 'OLD', -1, 'sqlite', connection)} END",
            f"CREATE TRIGGER {name}_update AFTER UPDATE OF {', '.join(sources)} ON {table} WHEN {changed} "
            f"BEGIN {_delta(table, 'OLD', -1, 'sqlite', connection)} {_delta(table, 'NEW', 1, 'sqlite', connection)} END",
        ]
    return statements


def install(schema_editor) -> None:
    """Create the triggers on ``schema_editor``'s database (replacing them)."""
    install_triggers(schema_editor, uninstall, _postgresql, _sqlite)


def uninstall(schema_editor) -> None:
    """Drop what ``install`` created."""
    connection = schema_editor.connection
    for table in SOURCES:
        name = _function(table)
        if connection.vendor == "postgresql":
            for suffix in ("insert_delete", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_{suffix} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            for suffix in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_{suffix}")


def rebuild(connection) -> None:
    """Count every step and receiver again (``item_months.recount``: one
    statement under the fold's lock on PostgreSQL)."""
    parts = []
    for table in SOURCES:
        kind = STEP if table == "infoflow_reviewstep" else RECEIVER
        unit = "NULL" if kind == STEP else "t.unit_id"
        deadline = deadline_sql(table, "t")
        day = _day_sql(connection.vendor, deadline, connection)
        keys = f"{', '.join('t.' + c for c in COPIES)}, {day}"
        grouped = keys if kind == STEP else f"{unit}, {keys}"  # PostgreSQL refuses GROUP BY NULL
        parts.append(f"SELECT '{kind}', {unit}, {keys}, COUNT(*) FROM {table} t WHERE ({deadline}) IS NOT NULL "
                     f"GROUP BY {grouped}")
    recount(connection, TABLE, f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}, day, n) {' UNION ALL '.join(parts)}")


def compact(connection, today: dt.date | None = None) -> int:
    """Fold the delta rows: each key's rows into one holding their sum (none
    when it is 0), a day before ``today``'s month (the local date by
    default) into the first day of its month. Returns how many rows it
    removed. As ``item_months.fold``: PostgreSQL one statement under the
    fold's lock (a second fold at once returns 0), SQLite the rows up to
    the largest id seen, in one transaction."""
    from django.db import transaction
    from django.utils import timezone

    today = today or timezone.localdate(timezone=timezone.get_default_timezone())
    month = today.replace(day=1)
    names = ", ".join(COLUMNS)
    keyed = f"{names}, CASE WHEN day < %s THEN {_month_start(connection)} ELSE day END AS d"
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, hashtext(%s))", [_FOLD_LOCK, TABLE])
            if not cursor.fetchone()[0]:
                return 0
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(
                f"WITH x AS (SELECT id, n, day, {keyed} FROM {TABLE}), "
                f"k AS (SELECT id FROM (SELECT id, day, d, COUNT(*) OVER w AS c, SUM(n) OVER w AS s FROM x "
                f"WINDOW w AS (PARTITION BY {names}, d)) y WHERE c > 1 OR s = 0 OR d <> day), "
                f"gone AS (DELETE FROM {TABLE} WHERE id IN (SELECT id FROM k) "
                f"RETURNING {names}, CASE WHEN day < %s THEN {_month_start(connection)} ELSE day END AS d, n), "
                f"sums AS (INSERT INTO {TABLE} ({names}, day, n) SELECT {names}, d, SUM(n) FROM gone "
                f"GROUP BY {names}, d HAVING SUM(n) <> 0 RETURNING 1) "
                f"SELECT (SELECT COUNT(*) FROM gone)", [month, month])
            return cursor.fetchone()[0]
        cursor.execute(f"SELECT MAX(id) FROM {TABLE}")
        last = cursor.fetchone()[0]
        if last is None:
            return 0
        # The unit and the item's unit may be NULL: compared through COALESCE (a NULL never equals in IN).
        row = ", ".join(f"COALESCE({c}, -1)" if c.endswith("_id") else c for c in COLUMNS)
        x = f"(SELECT id, n, day, {keyed} FROM {TABLE} WHERE id <= %s)"
        folded = (f"SELECT {row}, d FROM {x} GROUP BY {names}, d "
                  f"HAVING COUNT(*) > 1 OR SUM(n) = 0 OR MAX(d <> day)")
        cursor.execute(f"INSERT INTO {TABLE} ({names}, day, n) SELECT {names}, d, SUM(n) FROM {x} "
                       f"GROUP BY {names}, d HAVING (COUNT(*) > 1 OR MAX(d <> day)) AND SUM(n) <> 0", [month, last])
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE id <= %s AND ({row}, CASE WHEN day < %s THEN {_month_start(connection)} "
            f"ELSE day END) IN ({folded})", [last, month, month, last])
        return cursor.rowcount


def _month_start(connection) -> str:
    if connection.vendor == "postgresql":
        return "date_trunc('month', day)::date"
    return "strftime('%%Y-%%m-01', day)"
