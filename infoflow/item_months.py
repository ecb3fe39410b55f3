"""The month totals of items (``models.ItemMonth``), kept by database
triggers on the item table so that no write path can leave them stale —
the services, the admin, ``QuerySet.update``, ``bulk_create`` and deletes
alike (issue 12; the same way as infoflow.item_copies):

- an inserted item adds one to its row (department, local month of
  submission or none, state, confidentiality, "all staff");
- a deleted item takes one from its row;
- an item whose unit, submission time, state, confidentiality or flag
  changes moves its one from the old row to the new.

The triggers only append delta rows (+1 for the new key, -1 for the old):
no row is updated in place and no key is unique (migration 0023). Counters
updated in place were held locked until commit, so two transactions moving
items of one department and month in opposite directions locked the same
two rows in opposite orders (a deadlock) and every item write of a
department-month queued behind the others on its row. Readers add up ``n``
per key (infoflow.item_counts); ``fold`` (``compact``, a beat task every
few minutes, infoflow.tasks) folds each key's deltas into one row so the
table stays small, and ``rebuild`` counts afresh.

The month is the local month in settings.TIME_ZONE when ``install`` ran
(migration 0021): PostgreSQL's ``AT TIME ZONE`` with the zone's name,
SQLite through the function Django registers on every SQLite connection
(``django_datetime_trunc``, the one ``TruncMonth`` calls). After changing
TIME_ZONE, run ``install`` and ``rebuild`` again (a migration's
RunPython, as 0021 does).
"""
from django.conf import settings

TABLE = "infoflow_itemmonth"
KEY = ("unit_id", "state", "confidentiality", "to_all_staff")
SOURCES = ("unit_id", "submitted_at", "state", "confidentiality", "to_all_staff")


def _zone() -> str:
    # The zone's name goes into SQL text: only an IANA name is accepted (liaison/settings.py checks it).
    zone = settings.TIME_ZONE
    if not all(c.isalnum() or c in "/_+-" for c in zone):  # pragma: no cover - settings validate it
        raise ValueError(zone)
    return zone


def _pg_month(row: str) -> str:
    return f"(date_trunc('month', {row}.submitted_at AT TIME ZONE '{_zone()}'))::date"


def _pg_function() -> str:
    key = ", ".join(KEY)
    old_values = ", ".join(f"OLD.{c}" for c in KEY)
    new_values = ", ".join(f"NEW.{c}" for c in KEY)
    # Append-only: a row of -1 for the old key, one of +1 for the new (no row is updated, no key is
    # unique), so two writers never wait on each other's counter rows (see the module's docstring).
    return f"""
CREATE OR REPLACE FUNCTION infoflow_item_months() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO {TABLE} ({key}, month, n) VALUES ({old_values}, {_pg_month('OLD')}, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO {TABLE} ({key}, month, n) VALUES ({new_values}, {_pg_month('NEW')}, 1);
    END IF;
    RETURN NULL;
END $$;
"""


_CHANGED_PG = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in SOURCES)


def _postgresql() -> list[str]:
    return [
        _pg_function(),
        "CREATE TRIGGER infoflow_item_months_insert_delete AFTER INSERT OR DELETE ON infoflow_item "
        "FOR EACH ROW EXECUTE FUNCTION infoflow_item_months()",
        f"CREATE TRIGGER infoflow_item_months_update AFTER UPDATE OF {', '.join(SOURCES)} ON infoflow_item "
        f"FOR EACH ROW WHEN ({_CHANGED_PG}) EXECUTE FUNCTION infoflow_item_months()",
    ]


def _sqlite_month(row: str, connection) -> str:
    # django_datetime_trunc(kind, value, zone, the connection's zone) gives 'YYYY-MM-01 00:00:00', NULL for NULL.
    return f"date(django_datetime_trunc('month', {row}.submitted_at, '{_zone()}', '{connection.timezone_name}'))"


def _sqlite(connection) -> list[str]:
    key = ", ".join(KEY)

    def delta(row, step):
        values = ", ".join(f"{row}.{c}" for c in KEY)
        return f"INSERT INTO {TABLE} ({key}, month, n) VALUES ({values}, {_sqlite_month(row, connection)}, {step});"

    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in SOURCES)
    return [
        f"CREATE TRIGGER infoflow_item_months_insert AFTER INSERT ON infoflow_item BEGIN {delta('NEW', 1)} END",
        f"CREATE TRIGGER infoflow_item_months_delete AFTER DELETE ON infoflow_item BEGIN {delta('OLD', -1)} END",
        f"CREATE TRIGGER infoflow_item_months_update AFTER UPDATE OF {', '.join(SOURCES)} ON infoflow_item "
        f"WHEN {changed} BEGIN {delta('OLD', -1)} {delta('NEW', 1)} END",
    ]


def install(schema_editor) -> None:
    """Create the triggers on ``schema_editor``'s database (replacing them)."""
    install_triggers(schema_editor, uninstall, _postgresql, _sqlite)


def install_triggers(schema_editor, uninstall, postgresql, sqlite) -> None:
    """``uninstall(schema_editor)``, then run the vendor's statements:
    ``postgresql()`` or ``sqlite(connection)`` (lists of SQL). Shared by
    this module and ``grant_months``."""
    uninstall(schema_editor)
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        statements = postgresql()
    elif connection.vendor == "sqlite":
        statements = sqlite(connection)
    else:  # pragma: no cover - the project runs on PostgreSQL and SQLite only
        raise NotImplementedError(connection.vendor)
    for statement in statements:
        schema_editor.execute(statement)


def uninstall(schema_editor) -> None:
    """Drop what ``install`` created."""
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        for name in ("insert_delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS infoflow_item_months_{name} ON infoflow_item")
        schema_editor.execute("DROP FUNCTION IF EXISTS infoflow_item_months()")
    else:
        for name in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS infoflow_item_months_{name}")


# One advisory lock (a constant key of this project's choosing) serialises compactions and rebuilds:
# a rebuild that ran beside a compaction would not see the folded row the compaction inserts and
# would keep it beside its own count. Writers never take it.
_FOLD_LOCK = 7_412_003


def _month_sql(connection, row: str) -> str:
    return _pg_month(row) if connection.vendor == "postgresql" else _sqlite_month(row, connection)


def fold(connection, table: str, key: tuple[str, ...]) -> int:
    """Fold the delta rows of ``table`` (ItemMonth or GrantMonth; ``key``
    its columns besides ``month``): every key with more than one row, or
    adding up to 0, loses its rows and gets one row holding their sum
    (none when the sum is 0). Returns how many rows it removed.

    PostgreSQL: one statement (a DELETE … RETURNING feeding the INSERT), so
    the rows it removes are exactly the rows it adds up, whatever commits
    meanwhile; a delta committed after its snapshot is left for the next
    fold. Writers only insert rows, so they never wait on it. Two folds do
    not run at once: the second returns 0 (``_FOLD_LOCK``).
    SQLite (one writer at a time): an INSERT of the sums and a DELETE of
    the rows up to the largest id seen first, in one transaction."""
    from django.db import transaction

    columns = [*key, "month"]
    names = ", ".join(columns)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, hashtext(%s))", [_FOLD_LOCK, table])
            if not cursor.fetchone()[0]:
                return 0
            # A few thousand rows between folds: JIT compiling the statement cost more than running it (0.5 s).
            cursor.execute("SET LOCAL jit = off")
            # The rows to fold picked by id from one window pass over the table (its index is in key order),
            # then deleted by id (a hash semi-join): joining on the key columns merge-joined every user's and
            # department's rows with each other (minutes on a bench build's 900,000 grant deltas).
            cursor.execute(
                f"WITH k AS (SELECT id FROM (SELECT id, COUNT(*) OVER w AS c, SUM(n) OVER w AS s FROM {table} "
                f"WINDOW w AS (PARTITION BY {names})) x WHERE c > 1 OR s = 0), "
                f"gone AS (DELETE FROM {table} WHERE id IN (SELECT id FROM k) RETURNING {names}, n), "
                f"sums AS (INSERT INTO {table} ({names}, n) SELECT {names}, SUM(n) FROM gone GROUP BY {names} "
                f"HAVING SUM(n) <> 0 RETURNING 1) "
                f"SELECT (SELECT COUNT(*) FROM gone)")
            return cursor.fetchone()[0]
        cursor.execute(f"SELECT MAX(id) FROM {table}")
        last = cursor.fetchone()[0]
        if last is None:
            return 0
        folded = (f"SELECT {names} FROM {table} WHERE id <= %s GROUP BY {names} "
                  f"HAVING COUNT(*) > 1 OR SUM(n) = 0")
        cursor.execute(
            f"INSERT INTO {table} ({names}, n) SELECT {names}, SUM(n) FROM {table} WHERE id <= %s "
            f"GROUP BY {names} HAVING COUNT(*) > 1 AND SUM(n) <> 0", [last])
        # The month is NULL for unsubmitted items: compared through COALESCE (a NULL never equals in IN).
        row = ", ".join(columns[:-1] + ["COALESCE(month, '')"])
        cursor.execute(
            f"DELETE FROM {table} WHERE id <= %s AND ({row}) IN "
            f"(SELECT {row} FROM ({folded}))", [last, last])
        return cursor.rowcount


def compact(connection) -> int:
    """Fold ItemMonth's delta rows (``fold``); the beat runs it every few
    minutes (infoflow.tasks.compact_month_totals)."""
    return fold(connection, TABLE, KEY)


def rebuild(connection) -> None:
    """Count every item again: the table emptied and the items grouped by
    key, one row each. On PostgreSQL one statement (the DELETE … RETURNING
    and the INSERT … SELECT share one snapshot: an item write committed
    meanwhile is either counted and its deltas removed, or neither), under
    the fold's lock, so it is exact on a live database; on SQLite two
    statements in one transaction."""
    key = ", ".join(KEY)
    grouped = f"{', '.join('i.' + c for c in KEY)}, {_month_sql(connection, 'i')}"
    recount(connection, TABLE,
            f"INSERT INTO {TABLE} ({key}, month, n) SELECT {grouped}, COUNT(*) FROM infoflow_item i GROUP BY {grouped}")


def recount(connection, table: str, insert: str) -> None:
    """Empty ``table`` and run ``insert`` (an INSERT … SELECT of its counts):
    on PostgreSQL one statement under the fold's lock (``rebuild``), on
    SQLite two in one transaction. Shared with ``grant_months.rebuild``."""
    from django.db import transaction

    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_FOLD_LOCK, table])
            cursor.execute(f"WITH gone AS (DELETE FROM {table} RETURNING 1) {insert}")
        else:
            cursor.execute(f"DELETE FROM {table}")
            cursor.execute(insert)


def clear_after_flush(using: str = "default", **kwargs) -> None:
    """After ``manage.py flush`` (its post_migrate signal): with no item
    left, no month total may be left either. On SQLite a flush deletes table
    by table, row by row, so when it empties the totals before the items,
    the items' delete triggers append -1 rows that would outlive every item
    and make the next database's counts negative (PostgreSQL truncates,
    which fires no row trigger). Cheap otherwise: the table list and one
    EXISTS on the items.
    Connected in ``InfoflowConfig.ready``."""
    from django.db import connections

    from .models import GrantMonth, Item, ItemMonth, OverdueDay

    tables = connections[using].introspection.table_names()
    if ItemMonth._meta.db_table not in tables or GrantMonth._meta.db_table not in tables:
        return  # migrated backwards past the totals (migration 0021/0022)
    if Item.objects.using(using).exists():
        return
    ItemMonth.objects.using(using).delete()
    GrantMonth.objects.using(using).delete()
    if OverdueDay._meta.db_table in tables:  # the overdue day totals (migration 0027): no item, no step or receiver
        OverdueDay.objects.using(using).delete()
