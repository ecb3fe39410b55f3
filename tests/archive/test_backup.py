"""Backup → restore into an empty database: row counts, files, login, verify."""
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from archive.services import archive_item
from archive.verify import verify
from liaison import audit

from .conftest import PDF, PNG


def row_counts():
    return {m._meta.label: m._base_manager.count() for m in apps.get_models()}


def media_files(root):
    return sorted(p.relative_to(root).as_posix() for p in Path(root).rglob("*") if p.is_file())


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_an_empty_database(make_item, secretary, settings, tmp_path):
    from tests.factories import PASSWORD

    for n in range(3):
        archive_item(item=make_item(subject="备份%d" % n, files=[("f%d.pdf" % n, PDF), ("g.png", PNG)]))
    audit.record(audit.Action.EXPORT, user=secretary, detail="before backup")
    before = row_counts()
    files_before = media_files(settings.MEDIA_ROOT)
    call_command("backup", "-o", str(tmp_path / "bk"))

    call_command("flush", interactive=False, verbosity=0)
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            path.unlink()
    assert row_counts()["auth.User"] == 0
    call_command("restore", str(tmp_path / "bk"))

    assert row_counts() == before
    assert media_files(settings.MEDIA_ROOT) == files_before and len(files_before) == 12
    client = Client()
    login = client.post("/accounts/login/", {"username": "secretary", "password": PASSWORD})
    assert login.status_code == 302 and client.get("/archive/").status_code == 200
    result = verify()
    assert result.ok, result.failures
    # the login appended one audit row to the restored chain, which still verifies
    assert result.records == 3 and result.audit_rows == before["liaison.AuditEntry"] + 1


@pytest.mark.django_db
def test_restore_refuses_a_database_with_users(make_item, tmp_path):
    call_command("backup", "-o", str(tmp_path / "bk"))

    with pytest.raises(CommandError) as exc:
        call_command("restore", str(tmp_path / "bk"))

    assert "拒绝恢复" in str(exc.value)


@pytest.mark.django_db
@pytest.mark.parametrize("damage", ["alter", "remove", "add"])
def test_restore_refuses_a_damaged_backup(make_item, tmp_path, damage):
    archive_item(item=make_item(files=[("a.pdf", PDF)]))
    target = tmp_path / "bk"
    call_command("backup", "-o", str(target))
    manifest = json.loads((target / "MANIFEST.json").read_text())
    media = next(rel for rel in manifest["files"] if rel.startswith("media/"))
    if damage == "alter":
        (target / "db.json").write_text((target / "db.json").read_text().replace("关于", "有关"))
    elif damage == "remove":
        (target / media).unlink()
    else:
        (target / "media" / "extra.bin").write_bytes(b"x")

    with pytest.raises(CommandError) as exc:
        call_command("restore", str(target))

    assert "备份不完整或已损坏" in str(exc.value)


@pytest.mark.django_db
def test_backup_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "bk").mkdir()
    (tmp_path / "bk" / "x").write_text("x")

    with pytest.raises(CommandError):
        call_command("backup", "-o", str(tmp_path / "bk"))
