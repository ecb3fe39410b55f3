"""Each user's month totals of the items they hold a view grant on
(``models.GrantMonth``), kept by database triggers on the grant table and
the item table, so that no write path can leave them stale — guardian's
assign/remove, ``sync_item_grants``, bulk inserts, the item services,
``QuerySet.update`` and deletes alike (issue 12; as infoflow.item_months):

- a view grant inserted adds one to its user's row for the item's
  department, local month of submission, state, confidentiality and "all
  staff" flag; deleted, it takes one (an UPDATE of a grant row is both);
- an item whose unit, submission time, state, confidentiality or flag
  changes moves the one of every user holding a view grant on it from the
  old row to the new; a deleted item takes the ones of the grants left on
  it (Django deletes the grants first, so usually none).

Each change only inserts delta rows (+1 for the new key, -1 for the old),
as in item_months: no row is updated and no key is unique, so two writers
never wait on each other's rows; readers add up ``n`` per key and
``compact`` folds the deltas. The month is computed as in item_months (the
zone of settings.TIME_ZONE at install).
"""
from .item_months import _pg_month, _sqlite_month, fold, install_triggers, recount

TABLE = "infoflow_grantmonth"
GRANTS = "infoflow_itemuserobjectpermission"
KEY = ("unit_id", "state", "confidentiality", "to_all_staff")
SOURCES = ("unit_id", "submitted_at", "state", "confidentiality", "to_all_staff")
_VIEW = ("(SELECT p.id FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id "
         "WHERE ct.app_label = 'infoflow' AND ct.model = 'item' AND p.codename = 'view_item')")


def _statements(vendor: str, month, user: str, item: str, source: str, step: int) -> list[str]:
    """SQL adding a delta row of ``step`` (1 or -1) for each (user, item)
    pair ``SELECT … FROM {source}`` gives: ``user`` the user id's
    expression, ``item`` the alias or row (NEW, OLD, i) whose columns are
    the item's. Append-only: no row is updated, so writers never wait on
    each other (``vendor`` is kept for the callers' symmetry)."""
    values = ", ".join(f"{item}.{c}" for c in KEY)
    columns = ", ".join(KEY)
    return [f"INSERT INTO {TABLE} (user_id, {columns}, month, n) "
            f"SELECT {user}, {values}, {month(item)}, {step} FROM {source};"]


def _grant_source(row: str) -> str:
    # The item a grant row names, when the grant is the view permission.
    return f"infoflow_item i WHERE i.id = {row}.content_object_id AND {row}.permission_id = {_VIEW}"


def _item_source(row: str) -> str:
    # The users holding a view grant on the item.
    return f"{GRANTS} g WHERE g.content_object_id = {row}.id AND g.permission_id = {_VIEW}"


def _postgresql() -> list[str]:
    def month(item):
        return _pg_month(item)

    def run(statements):
        return "\n        ".join(statements)

    grant_take = run(_statements("postgresql", month, "OLD.user_id", "i", _grant_source("OLD"), -1))
    grant_add = run(_statements("postgresql", month, "NEW.user_id", "i", _grant_source("NEW"), 1))
    item_take = run(_statements("postgresql", month, "g.user_id", "OLD", _item_source("OLD"), -1))
    item_add = run(_statements("postgresql", month, "g.user_id", "NEW", _item_source("NEW"), 1))
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in SOURCES)
    return [
        f"""
CREATE OR REPLACE FUNCTION infoflow_grant_months_grant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {grant_take}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {grant_add}
    END IF;
    RETURN NULL;
END $$;
""",
        f"""
CREATE OR REPLACE FUNCTION infoflow_grant_months_item() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {item_take}
    IF TG_OP = 'UPDATE' THEN
        {item_add}
    END IF;
    RETURN NULL;
END $$;
""",
        f"CREATE TRIGGER infoflow_grant_months AFTER INSERT OR DELETE OR UPDATE OF user_id, permission_id, "
        f"content_object_id ON {GRANTS} FOR EACH ROW EXECUTE FUNCTION infoflow_grant_months_grant()",
        f"CREATE TRIGGER infoflow_grant_months_item_update AFTER UPDATE OF {', '.join(SOURCES)} ON infoflow_item "
        f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION infoflow_grant_months_item()",
        "CREATE TRIGGER infoflow_grant_months_item_delete AFTER DELETE ON infoflow_item "
        "FOR EACH ROW EXECUTE FUNCTION infoflow_grant_months_item()",
    ]


def _sqlite(connection) -> list[str]:
    def month(item):
        return _sqlite_month(item, connection)

    def body(*groups):
        return " ".join(s for group in groups for s in group)

    grant_take = _statements("sqlite", month, "OLD.user_id", "i", _grant_source("OLD"), -1)
    grant_add = _statements("sqlite", month, "NEW.user_id", "i", _grant_source("NEW"), 1)
    item_take = _statements("sqlite", month, "g.user_id", "OLD", _item_source("OLD"), -1)
    item_add = _statements("sqlite", month, "g.user_id", "NEW", _item_source("NEW"), 1)
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in SOURCES)
    return [
        f"CREATE TRIGGER infoflow_grant_months_insert AFTER INSERT ON {GRANTS} BEGIN {body(grant_add)} END",
        f"CREATE TRIGGER infoflow_grant_months_delete AFTER DELETE ON {GRANTS} BEGIN {body(grant_take)} END",
        f"CREATE TRIGGER infoflow_grant_months_update AFTER UPDATE OF user_id, permission_id, content_object_id "
        f"ON {GRANTS} BEGIN {body(grant_take, grant_add)} END",
        f"CREATE TRIGGER infoflow_grant_months_item_update AFTER UPDATE OF {', '.join(SOURCES)} ON infoflow_item "
        f"WHEN {changed} BEGIN {body(item_take, item_add)} END",
        f"CREATE TRIGGER infoflow_grant_months_item_delete AFTER DELETE ON infoflow_item BEGIN {body(item_take)} END",
    ]


def install(schema_editor) -> None:
    """Create the triggers on ``schema_editor``'s database (replacing them)."""
    install_triggers(schema_editor, uninstall, _postgresql, _sqlite)


def uninstall(schema_editor) -> None:
    """Drop what ``install`` created."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS infoflow_grant_months ON {GRANTS}")
        for name in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS infoflow_grant_months_item_{name} ON infoflow_item")
        schema_editor.execute("DROP FUNCTION IF EXISTS infoflow_grant_months_grant()")
        schema_editor.execute("DROP FUNCTION IF EXISTS infoflow_grant_months_item()")
    else:
        for name in ("insert", "delete", "update", "item_update", "item_delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS infoflow_grant_months_{name}")


def compact(connection) -> int:
    """Fold GrantMonth's delta rows (``item_months.fold``); the beat runs it
    every few minutes (infoflow.tasks.compact_month_totals)."""
    return fold(connection, TABLE, ("user_id", *KEY))


def rebuild(connection) -> None:
    """Count every view grant again: the table emptied and the grants
    grouped with their items, one row a key; exact on a live PostgreSQL
    database as ``item_months.rebuild`` (one statement, under the fold's
    lock)."""
    month = _pg_month("i") if connection.vendor == "postgresql" else _sqlite_month("i", connection)
    key = ", ".join("i." + c for c in KEY)
    insert = (f"INSERT INTO {TABLE} (user_id, {', '.join(KEY)}, month, n) SELECT g.user_id, {key}, {month}, COUNT(*) "
              f"FROM {GRANTS} g JOIN infoflow_item i ON i.id = g.content_object_id WHERE g.permission_id = {_VIEW} "
              f"GROUP BY g.user_id, {key}, {month}")
    recount(connection, TABLE, insert)
