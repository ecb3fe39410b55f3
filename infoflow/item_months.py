"""The month totals of items (``models.ItemMonth``), kept by database
triggers on the item table so that no write path can leave them stale —
the services, the admin, ``QuerySet.update``, ``bulk_create`` and deletes
alike (issue 12; the same way as infoflow.item_copies):

- an inserted item adds one to its row (department, local month of
  submission or none, state, confidentiality, "all staff");
- a deleted item takes one from its row;
- an item whose unit, submission time, state, confidentiality or flag
  changes moves its one from the old row to the new.

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
    match = " AND ".join(f"{c} = OLD.{c}" for c in KEY)
    new_values = ", ".join(f"NEW.{c}" for c in KEY)
    return f"""
CREATE OR REPLACE FUNCTION infoflow_item_months() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    m date;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        m := {_pg_month('OLD')};
        UPDATE {TABLE} SET n = n - 1 WHERE {match} AND {TABLE}.month IS NOT DISTINCT FROM m;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        m := {_pg_month('NEW')};
        IF m IS NULL THEN
            INSERT INTO {TABLE} ({key}, month, n) VALUES ({new_values}, NULL, 1)
            ON CONFLICT ({key}) WHERE month IS NULL DO UPDATE SET n = {TABLE}.n + 1;
        ELSE
            INSERT INTO {TABLE} ({key}, month, n) VALUES ({new_values}, m, 1)
            ON CONFLICT ({key}, month) WHERE month IS NOT NULL DO UPDATE SET n = {TABLE}.n + 1;
        END IF;
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

    def take(row):
        match = " AND ".join(f"{c} = {row}.{c}" for c in KEY)
        return f"UPDATE {TABLE} SET n = n - 1 WHERE {match} AND month IS {_sqlite_month(row, connection)};"

    def add(row):
        values = ", ".join(f"{row}.{c}" for c in KEY)
        match = " AND ".join(f"{c} = {row}.{c}" for c in KEY)
        month = _sqlite_month(row, connection)
        # SQLite has one writer at a time: insert the row if missing, then count.
        return (f"INSERT INTO {TABLE} ({key}, month, n) SELECT {values}, {month}, 0 "
                f"WHERE NOT EXISTS (SELECT 1 FROM {TABLE} WHERE {match} AND month IS {month}); "
                f"UPDATE {TABLE} SET n = n + 1 WHERE {match} AND month IS {month};")

    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in SOURCES)
    return [
        f"CREATE TRIGGER infoflow_item_months_insert AFTER INSERT ON infoflow_item BEGIN {add('NEW')} END",
        f"CREATE TRIGGER infoflow_item_months_delete AFTER DELETE ON infoflow_item BEGIN {take('OLD')} END",
        f"CREATE TRIGGER infoflow_item_months_update AFTER UPDATE OF {', '.join(SOURCES)} ON infoflow_item "
        f"WHEN {changed} BEGIN {take('OLD')} {add('NEW')} END",
    ]


def install(schema_editor) -> None:
    """Create the triggers on ``schema_editor``'s database (replacing them)."""
    uninstall(schema_editor)
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        statements = _postgresql()
    elif connection.vendor == "sqlite":
        statements = _sqlite(connection)
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


def rebuild(connection) -> None:
    """Count every item again: empty the table, then one INSERT … SELECT
    grouping the items (call it in a transaction, or on a quiet database)."""
    key = ", ".join(KEY)
    month = _pg_month("i") if connection.vendor == "postgresql" else _sqlite_month("i", connection)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(
            f"INSERT INTO {TABLE} ({key}, month, n) SELECT {', '.join('i.' + c for c in KEY)}, {month}, COUNT(*) "
            f"FROM infoflow_item i GROUP BY {', '.join('i.' + c for c in KEY)}, {month}")
