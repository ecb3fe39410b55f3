"""The item's values copied onto its review steps and receivers
(``models.ItemCopies``: unit, state, confidentiality, "all staff"), kept by
database triggers so that no write path can leave them stale — the services,
the admin, ``QuerySet.update`` and ``bulk_create`` alike (issue 12):

- a step or receiver row takes its item's values when inserted, and again
  whenever an UPDATE writes its item or one of the copies (a full ``save()``
  of an instance read before its item changed writes them back right);
- an item whose unit, state, confidentiality or flag changes writes the new
  values into its steps and receivers in the same statement.

``install`` creates them (PostgreSQL: PL/pgSQL functions and triggers;
SQLite: AFTER triggers, its triggers cannot assign NEW) and ``fill`` copies
every row's item values (migration 0019: triggers first, so a row written
while the fill runs is copied too).
"""

TABLES = ("infoflow_reviewstep", "infoflow_receiver")
COPIES = ("item_unit_id", "item_state", "item_confidentiality", "item_to_all_staff")
SOURCES = ("unit_id", "state", "confidentiality", "to_all_staff")

_PG_ROW_FUNCTION = """
CREATE OR REPLACE FUNCTION infoflow_item_copies_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    item RECORD;
BEGIN
    SELECT i.unit_id, i.state, i.confidentiality, i.to_all_staff INTO item
      FROM infoflow_item i WHERE i.id = NEW.item_id;
    IF FOUND THEN  -- not yet when a fixture loads a row before its item (constraints deferred)
        NEW.item_unit_id := item.unit_id;
        NEW.item_state := item.state;
        NEW.item_confidentiality := item.confidentiality;
        NEW.item_to_all_staff := item.to_all_staff;
    END IF;
    RETURN NEW;
END $$;
"""

_PG_ITEM_FUNCTION = """
CREATE OR REPLACE FUNCTION infoflow_item_copies_item() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE infoflow_reviewstep SET item_unit_id = NEW.unit_id, item_state = NEW.state,
           item_confidentiality = NEW.confidentiality, item_to_all_staff = NEW.to_all_staff
     WHERE item_id = NEW.id;
    UPDATE infoflow_receiver SET item_unit_id = NEW.unit_id, item_state = NEW.state,
           item_confidentiality = NEW.confidentiality, item_to_all_staff = NEW.to_all_staff
     WHERE item_id = NEW.id;
    RETURN NULL;
END $$;
"""

_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in SOURCES)


def _postgresql():
    statements = [_PG_ROW_FUNCTION, _PG_ITEM_FUNCTION]
    for table in TABLES:
        statements.append(
            f"CREATE TRIGGER {table}_item_copies BEFORE INSERT OR UPDATE OF item_id, {', '.join(COPIES)} "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION infoflow_item_copies_row()")
    statements.append(
        f"CREATE TRIGGER infoflow_item_copies AFTER UPDATE OF {', '.join(SOURCES)} ON infoflow_item "
        f"FOR EACH ROW WHEN ({_CHANGED}) "
        f"EXECUTE FUNCTION infoflow_item_copies_item()")
    return statements


def _sqlite():
    def refresh(table):
        values = ", ".join(f"{copy} = COALESCE((SELECT i.{source} FROM infoflow_item i WHERE i.id = NEW.item_id), "
                           f"{copy})" for copy, source in zip(COPIES, SOURCES))
        return f"UPDATE {table} SET {values} WHERE id = NEW.id;"

    statements = []
    for table in TABLES:
        statements.append(f"CREATE TRIGGER {table}_item_copies_insert AFTER INSERT ON {table} "
                          f"BEGIN {refresh(table)} END")
        # SQLite's recursive triggers are off: the refresh does not fire this trigger again.
        statements.append(f"CREATE TRIGGER {table}_item_copies_update AFTER UPDATE OF item_id, {', '.join(COPIES)} "
                          f"ON {table} BEGIN {refresh(table)} END")
    sets = ", ".join(f"{copy} = NEW.{source}" for copy, source in zip(COPIES, SOURCES))
    updates = " ".join(f"UPDATE {table} SET {sets} WHERE item_id = NEW.id;" for table in TABLES)
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in SOURCES)
    statements.append(f"CREATE TRIGGER infoflow_item_copies AFTER UPDATE OF {', '.join(SOURCES)} ON infoflow_item "
                      f"WHEN {changed} BEGIN {updates} END")
    return statements


def install(schema_editor) -> None:
    """Create the triggers on ``schema_editor``'s database."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = _postgresql()
    elif vendor == "sqlite":
        statements = _sqlite()
    else:  # pragma: no cover - the project runs on PostgreSQL and SQLite only
        raise NotImplementedError(vendor)
    for statement in statements:
        schema_editor.execute(statement)


def uninstall(schema_editor) -> None:
    """Drop what ``install`` created."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_item_copies ON {table}")
        schema_editor.execute("DROP TRIGGER IF EXISTS infoflow_item_copies ON infoflow_item")
        schema_editor.execute("DROP FUNCTION IF EXISTS infoflow_item_copies_row()")
        schema_editor.execute("DROP FUNCTION IF EXISTS infoflow_item_copies_item()")
    else:
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_item_copies_insert")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_item_copies_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS infoflow_item_copies")


def fill(schema_editor) -> None:
    """Copy every step's and receiver's item values (one UPDATE a table)."""
    for table in TABLES:
        if schema_editor.connection.vendor == "postgresql":
            values = ", ".join(f"{copy} = i.{source}" for copy, source in zip(COPIES, SOURCES))
            schema_editor.execute(f"UPDATE {table} SET {values} FROM infoflow_item i WHERE i.id = {table}.item_id")
        else:
            values = ", ".join(f"{copy} = (SELECT i.{source} FROM infoflow_item i WHERE i.id = {table}.item_id)"
                               for copy, source in zip(COPIES, SOURCES))
            schema_editor.execute(f"UPDATE {table} SET {values}")


# Tables of other apps that keep the same copies (``install_on``): the
# archive's records, whose catalogue counts what a user sees (issue 12).

def _on_postgresql(table: str) -> list[str]:
    sets = ", ".join(f"{copy} = NEW.{source}" for copy, source in zip(COPIES, SOURCES))
    return [
        # The row function is infoflow's (migration 0019): it reads NEW.item_id's item.
        f"CREATE TRIGGER {table}_item_copies BEFORE INSERT OR UPDATE OF item_id, {', '.join(COPIES)} "
        f"ON {table} FOR EACH ROW EXECUTE FUNCTION infoflow_item_copies_row()",
        f"CREATE OR REPLACE FUNCTION {table}_item_copies_item() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN UPDATE {table} SET {sets} WHERE item_id = NEW.id; RETURN NULL; END $$",
        f"CREATE TRIGGER {table}_item_copies AFTER UPDATE OF {', '.join(SOURCES)} ON infoflow_item "
        f"FOR EACH ROW WHEN ({_CHANGED}) EXECUTE FUNCTION {table}_item_copies_item()",
    ]


def _on_sqlite(table: str) -> list[str]:
    values = ", ".join(f"{copy} = COALESCE((SELECT i.{source} FROM infoflow_item i WHERE i.id = NEW.item_id), "
                       f"{copy})" for copy, source in zip(COPIES, SOURCES))
    refresh = f"UPDATE {table} SET {values} WHERE id = NEW.id;"
    sets = ", ".join(f"{copy} = NEW.{source}" for copy, source in zip(COPIES, SOURCES))
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in SOURCES)
    return [
        f"CREATE TRIGGER {table}_item_copies_insert AFTER INSERT ON {table} BEGIN {refresh} END",
        f"CREATE TRIGGER {table}_item_copies_update AFTER UPDATE OF item_id, {', '.join(COPIES)} "
        f"ON {table} BEGIN {refresh} END",
        f"CREATE TRIGGER {table}_item_copies_item AFTER UPDATE OF {', '.join(SOURCES)} ON infoflow_item "
        f"WHEN {changed} BEGIN UPDATE {table} SET {sets} WHERE item_id = NEW.id; END",
    ]


def install_on(schema_editor, table: str) -> None:
    """Keep ``table``'s copies of its item (a table of another app with an
    ``item_id`` column and the ``COPIES`` columns, models.ItemCopies): the
    same triggers as the steps' and receivers', the item's own trigger for
    this table apart, so that the owning app's migrations install and drop
    it. Then copy every row's item values."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = _on_postgresql(table)
        values = ", ".join(f"{copy} = i.{source}" for copy, source in zip(COPIES, SOURCES))
        fill_sql = f"UPDATE {table} SET {values} FROM infoflow_item i WHERE i.id = {table}.item_id"
    elif vendor == "sqlite":
        statements = _on_sqlite(table)
        values = ", ".join(f"{copy} = (SELECT i.{source} FROM infoflow_item i WHERE i.id = {table}.item_id)"
                           for copy, source in zip(COPIES, SOURCES))
        fill_sql = f"UPDATE {table} SET {values}"
    else:  # pragma: no cover - the project runs on PostgreSQL and SQLite only
        raise NotImplementedError(vendor)
    for statement in statements:
        schema_editor.execute(statement)
    schema_editor.execute(fill_sql)


def uninstall_on(schema_editor, table: str) -> None:
    """Drop what ``install_on`` created for ``table``."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_item_copies ON {table}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_item_copies ON infoflow_item")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_item_copies_item()")
    else:
        for suffix in ("insert", "update", "item"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_item_copies_{suffix}")
