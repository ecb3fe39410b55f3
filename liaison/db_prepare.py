"""How many prepared statements a PostgreSQL connection keeps (issue 12).

With LIAISON_DB_PREPARE (liaison.settings: server-side binding and psycopg's
``prepare_threshold``) psycopg prepares a statement the second time a
connection runs it and keeps the ``prepared_max`` most recently used, 100 by
default, deallocating the oldest past that. The pages of this product run
about 400 different statements between them (bench/http.py's 70 pages, 6–15
each), so with 100 a worker going from page to page would keep preparing
and dropping the same statements; 512 holds them all. Each is a few
kilobytes of plan in the server's backend.
"""
from django.conf import settings

PREPARED_MAX = 512


def on_connection_created(sender, connection, **kwargs) -> None:
    """``connection_created``: let a new PostgreSQL connection keep PREPARED_MAX prepared statements."""
    if connection.vendor == "postgresql" and settings.LIAISON_DB_PREPARE:
        raw = connection.connection
        if hasattr(raw, "prepared_max"):  # psycopg 3
            raw.prepared_max = PREPARED_MAX


def connect() -> None:
    from django.db.backends.signals import connection_created

    connection_created.connect(on_connection_created, dispatch_uid="liaison.db_prepare")


_GENERIC = "SET plan_cache_mode = force_generic_plan"
_RESET = "RESET plan_cache_mode"


def execute_generic(cursor, sql: str, params) -> tuple | None:
    """``cursor.execute(sql, params)`` and its first row, planned by
    PostgreSQL once per connection: with the server's default
    (plan_cache_mode auto) a prepared statement whose generic plan looks
    dearer than its custom plans is planned again on every run, with its
    values. The home page's one statement of every card (portal.home_figures)
    was: about 2 ms of planning for 0.2–2 ms of running at 100,000 items, for
    every role (issue 12). Its generic plan, built on its second run on a
    connection (``prepare_threshold``), runs as fast as the custom ones.

    Only for a statement whose parameters do not change its best plan (ids
    and moments compared through indexes, no LIKE, no ranges whose width
    decides between an index and a scan). Two statements more a call (the
    setting set and reset around it, each a few microseconds of the
    server's time); elsewhere (SQLite, LIAISON_DB_PREPARE off: nothing
    prepared) just the statement."""
    connection = cursor.db
    if connection.vendor != "postgresql" or not settings.LIAISON_DB_PREPARE:
        cursor.execute(sql, params)
        return cursor.fetchone()
    cursor.execute(_GENERIC)
    try:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    except Exception:
        # In a transaction the error rolls the setting back with it; in
        # autocommit the SET stands alone, so it is reset here.
        if connection.get_autocommit() and not connection.in_atomic_block:
            try:
                cursor.execute(_RESET)
            except Exception:  # pragma: no cover - the connection is broken: Django drops it
                pass
        raise
    cursor.execute(_RESET)
    return row
