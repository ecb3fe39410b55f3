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
