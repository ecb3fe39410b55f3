"""Concurrent writers keep the audit chain whole (issue 10, part 4).

Six real processes append audit rows at once, on SQLite (a temporary file
database, what ``make run`` uses) and on PostgreSQL; ``verify_archive`` then
finds every row sealed in id order and reports no tampering.
"""
import multiprocessing

import pytest
from django.conf import settings
from django.db import connection

from liaison.models import AuditEntry
from tests.liaison import _audit_writers

KEY = "test-audit-race-seal-key-0123456789"
WORKERS = 6
ROWS = 25


def _run(database_url):
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    procs = [
        ctx.Process(target=_audit_writers.append_rows, args=(database_url, KEY, barrier, w, ROWS, w % 2 == 1))
        for w in range(WORKERS)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0] * WORKERS
    queue = ctx.Queue()
    checker = ctx.Process(target=_audit_writers.verify_audit, args=(database_url, KEY, queue))
    checker.start()
    outcome = queue.get(timeout=300)
    checker.join(timeout=60)
    return outcome


@pytest.mark.django_db(transaction=True)
def test_six_processes_append_to_one_unbroken_chain_on_sqlite(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite half of the race")
    path = tmp_path / "race.sqlite3"
    # The test database's migrated schema, copied to a file the children share.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(path)])
    rows, unsealed, failures = _run(f"sqlite:///{path}")
    assert (rows, unsealed, failures) == (WORKERS * ROWS, 0, [])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_six_processes_append_to_one_unbroken_chain_on_postgresql():
    db = settings.DATABASES["default"]
    url = "postgres://%s%s@%s:%s/%s" % (
        db["USER"], (":" + db["PASSWORD"]) if db.get("PASSWORD") else "", db["HOST"] or "127.0.0.1",
        db["PORT"] or 5432, db["NAME"],
    )
    before = AuditEntry.objects.count()
    rows, unsealed, failures = _run(url)
    assert (rows - before, unsealed, failures) == (WORKERS * ROWS, 0, [])
