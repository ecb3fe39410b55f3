"""Audit archive (issue 18 item 7): rows older than AUDIT_KEEP_MONTHS are
exported to sealed batches, never deleted; a tampered export is detected."""
import datetime as dt
import hashlib
import json

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from dengbao import audit_archive
from dengbao.models import AuditArchiveBatch
from dengbao.tasks import archive_audit_daily
from liaison import audit
from liaison.models import AuditEntry

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 30, 10, tzinfo=UTC)


def write_at(moment, name):
    with time_machine.travel(moment, tick=False):
        return audit.record(audit.Action.OTHER, username=name, detail=name)


@pytest.fixture
def rows(db):
    """Three rows older than six months, two newer (one a minute inside the period)."""
    old = [write_at(dt.datetime(2026, 3, d, 9, tzinfo=UTC), f"old{d}") for d in (1, 2, 3)]
    new = [
        write_at(dt.datetime(2026, 5, 30, 10, 1, tzinfo=UTC), "edge"),
        write_at(dt.datetime(2026, 11, 1, 9, tzinfo=UTC), "new"),
    ]
    return old, new


def run(**kwargs):
    with time_machine.travel(NOW, tick=False):
        return audit_archive.export_due(actor=None, **kwargs)


def test_cutoff_is_keep_months_back(settings):
    assert audit_archive.months_before(dt.datetime(2026, 8, 31, tzinfo=UTC), 6) == dt.datetime(2026, 2, 28, tzinfo=UTC)
    settings.AUDIT_KEEP_MONTHS = 12
    assert audit_archive.cutoff_for(NOW).astimezone(UTC) == dt.datetime(2025, 11, 30, 10, tzinfo=UTC)


def test_old_rows_exported_sealed_and_kept(rows):
    old, new = rows
    before = AuditEntry.objects.count()

    [batch] = run()

    assert (batch.first_id, batch.last_id, batch.count) == (old[0].pk, old[-1].pk, 3)
    assert len(batch.seal) == 64 and len(batch.sha256) == 64
    with default_storage.open(batch.file_name, "rb") as handle:
        lines = [json.loads(line) for line in handle.read().decode().splitlines()]
    assert [line["username"] for line in lines] == ["old1", "old2", "old3"]
    assert [line["seal"] for line in lines] == [e.seal for e in old]
    # Never deleted: the chain in the live log is whole, newer rows untouched.
    assert AuditEntry.objects.count() == before
    assert all(not AuditArchiveBatch.objects.filter(first_id__lte=e.pk, last_id__gte=e.pk).exists() for e in new)
    assert audit_archive.verify_all() == []


def test_running_twice_exports_nothing_new(rows):
    run()

    assert run() == []
    assert AuditArchiveBatch.objects.count() == 1


def test_later_run_continues_the_range_and_batch_chain(rows):
    old, new = rows
    first = run(limit=2)
    assert [b.count for b in first] == [2, 1]
    assert first[1].prev_seal == old[1].seal
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=UTC), tick=False):
        [later] = audit_archive.export_due(actor=None)  # the edge row is now older than six months
    assert (later.first_id, later.last_id, later.number) == (new[0].pk, new[0].pk, 3)
    assert audit_archive.verify_all() == []


def test_nothing_due(db):
    write_at(dt.datetime(2026, 11, 1, tzinfo=UTC), "recent")

    assert run() == []


@pytest.mark.parametrize("tamper", ["edit_row", "drop_row", "edit_seal"])
def test_tampered_export_detected(rows, tamper):
    [batch] = run()
    if tamper == "edit_seal":
        AuditArchiveBatch.objects.filter(pk=batch.pk).update(count=2)
        expected = "seal mismatch"
    else:
        with default_storage.open(batch.file_name, "rb") as handle:
            lines = handle.read().decode().splitlines()
        lines = [lines[0].replace("old1", "oldX")] + lines[1:] if tamper == "edit_row" else lines[1:]
        default_storage.delete(batch.file_name)
        default_storage.save(batch.file_name, ContentFile(("\n".join(lines) + "\n").encode()))
        expected = "sha256 mismatch"

    problems = audit_archive.verify_all()

    assert [(p.number, p.reason) for p in problems] == [(1, expected)]


def test_rows_chain_checked_even_when_file_and_seal_rewritten(rows):
    """Someone who can rewrite the file and the row's hash still cannot forge
    the batch seal (the key is not in the database); with hash and seal
    consistent, an edited row is caught by the row chain."""
    [batch] = run()
    with default_storage.open(batch.file_name, "rb") as handle:
        lines = handle.read().decode().splitlines()
    lines[1] = lines[1].replace("old2", "oldX")
    content = ("\n".join(lines) + "\n").encode()
    default_storage.delete(batch.file_name)
    default_storage.save(batch.file_name, ContentFile(content))
    batch.sha256 = hashlib.sha256(content).hexdigest()
    batch.seal = audit_archive.batch_seal(batch, "")

    assert audit_archive.verify_batch(batch, "") == "row %s chain broken" % rows[0][1].pk


def test_missing_file_detected(rows):
    [batch] = run()
    default_storage.delete(batch.file_name)

    assert [p.reason for p in audit_archive.verify_all()] == ["file missing"]


def test_command_output(rows, capsys):
    old, _new = rows
    with time_machine.travel(NOW, tick=False):
        call_command("archive_audit")
        call_command("archive_audit")
    out = capsys.readouterr().out.splitlines()

    assert out[0].startswith(f"batch 1: rows {old[0].pk}-{old[-1].pk} (3) sha256 ")
    assert out[1] == "archive_audit: 1 batch(es), 3 row(s) exported"
    assert out[2] == "archive_audit: 0 batch(es), 0 row(s) exported"


def test_command_verify(rows, capsys):
    with time_machine.travel(NOW, tick=False):
        call_command("archive_audit")
    call_command("archive_audit", "--verify")
    assert capsys.readouterr().out.splitlines()[-1] == "archive_audit: all batches verify"

    AuditArchiveBatch.objects.update(count=9)
    with pytest.raises(CommandError, match="1 batch"):
        call_command("archive_audit", "--verify")
    assert "batch 1: seal mismatch" in capsys.readouterr().out


def test_daily_task_is_scheduled_and_exports(rows, settings):
    assert settings.CELERY_BEAT_SCHEDULE["audit-archive"]["task"] == archive_audit_daily.name
    with time_machine.travel(NOW, tick=False):
        assert archive_audit_daily() == 3
        assert archive_audit_daily() == 0
