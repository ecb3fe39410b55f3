"""Child processes for the audit-chain race (tests/liaison/test_audit_chain_race.py).

Each is a real separate process (multiprocessing "spawn"): it sets up Django
against the database named in its arguments, waits for the others at a
barrier, then appends audit rows as fast as it can, the way six web and
worker processes do.
"""
import os


def _setup(database_url, seal_key):
    os.environ["DATABASE_URL"] = database_url
    os.environ["LIAISON_ARCHIVE_SEAL_KEY"] = seal_key
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    import django

    django.setup()


def append_rows(database_url, seal_key, barrier, worker, count, in_transaction):
    _setup(database_url, seal_key)
    from django.db import transaction

    from liaison import audit

    barrier.wait(timeout=120)
    for n in range(count):
        if in_transaction:
            # A row appended inside a longer transaction (a service writing
            # its own rows first), as well as the plain autocommit append.
            with transaction.atomic():
                audit.record(audit.Action.OTHER, username=f"w{worker}", detail=f"{worker}:{n}")
        else:
            audit.record(audit.Action.OTHER, username=f"w{worker}", detail=f"{worker}:{n}")


def verify_audit(database_url, seal_key, queue):
    _setup(database_url, seal_key)
    from archive.verify import verify

    result = verify(check_files=False)
    queue.put((result.audit_rows, result.audit_unsealed, result.failures))
