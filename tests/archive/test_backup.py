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


# Derived tables, counted afresh by restore (their rows are deltas folded now
# and then, so their number of rows is not the data's; their sums are).
DERIVED = ("infoflow.ItemMonth", "infoflow.GrantMonth")


def row_counts():
    return {m._meta.label: m._base_manager.count() for m in apps.get_models() if m._meta.label not in DERIVED}


def month_sums():
    from django.db.models import Sum

    return {label: sorted((tuple(v for k, v in row.items() if k != "total"), row["total"])
                          for row in apps.get_model(label)._base_manager.order_by().values(
                              *[f.attname for f in apps.get_model(label)._meta.concrete_fields
                                if f.attname not in ("id", "n")]).annotate(total=Sum("n")) if row["total"])
            for label in DERIVED}


def media_files(root):
    return sorted(p.relative_to(root).as_posix() for p in Path(root).rglob("*") if p.is_file())


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_an_empty_database(make_item, secretary, settings, tmp_path):
    from tests.factories import PASSWORD

    for n in range(3):
        archive_item(item=make_item(subject="备份%d" % n, files=[("f%d.pdf" % n, PDF), ("g.png", PNG)]))
    audit.record(audit.Action.EXPORT, user=secretary, detail="before backup")
    before = row_counts()
    sums_before = month_sums()
    files_before = media_files(settings.MEDIA_ROOT)
    call_command("backup", "-o", str(tmp_path / "bk"))

    call_command("flush", interactive=False, verbosity=0)
    # no month total outlives the items (SQLite's flush fires the items' delete triggers: item_months)
    assert {label: apps.get_model(label)._base_manager.count() for label in DERIVED} == dict.fromkeys(DERIVED, 0)
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            path.unlink()
    assert row_counts()["auth.User"] == 0
    call_command("restore", str(tmp_path / "bk"))

    assert row_counts() == before
    assert month_sums() == sums_before and sums_before["infoflow.ItemMonth"]  # not counted twice
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


# --- the manifest is authenticated with the seal key (issue 10, part 4) -----------


def _edit_db_and_recompute_sum(target):
    import hashlib

    db = target / "db.json"
    db.write_text(db.read_text().replace("关于", "有关"))
    manifest = json.loads((target / "MANIFEST.json").read_text())
    manifest["files"]["db.json"] = hashlib.sha256(db.read_bytes()).hexdigest()
    (target / "MANIFEST.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


@pytest.mark.django_db
def test_the_manifest_carries_an_hmac_under_the_seal_key(make_item, tmp_path):
    import hmac

    from archive.backup import FORMAT, manifest_mac
    from archive.seal import canonical

    call_command("backup", "-o", str(tmp_path / "bk"))
    manifest = json.loads((tmp_path / "bk" / "MANIFEST.json").read_text())

    body = {k: v for k, v in manifest.items() if k != "mac"}
    expected = hmac.digest(b"test-archive-seal-key-0123456789", b"BACKUP-MANIFEST|" + canonical(body).encode(),
                           "sha256").hex()
    assert FORMAT == 2 and manifest["format"] == 2
    assert manifest["mac"] == manifest_mac(manifest) == expected


@pytest.mark.django_db
def test_restore_refuses_an_edited_db_json_with_a_recomputed_sum(make_item, tmp_path):
    from archive.backup import check_backup

    archive_item(item=make_item(files=[("a.pdf", PDF)]))
    target = tmp_path / "bk"
    call_command("backup", "-o", str(target))
    _edit_db_and_recompute_sum(target)

    with pytest.raises(CommandError) as exc:
        call_command("restore", str(target))

    assert "备份清单 MANIFEST.json 的签名不符，未做任何恢复" in str(exc.value)
    assert "重算了校验值" in str(exc.value)
    with pytest.raises(Exception):
        check_backup(target, allow_unsigned=True)  # a signed manifest is never let off


@pytest.mark.django_db
def test_restore_refuses_a_manifest_resigned_with_another_key(make_item, settings, tmp_path):
    from archive.backup import check_backup, manifest_mac

    target = tmp_path / "bk"
    call_command("backup", "-o", str(target))
    manifest = _edit_db_and_recompute_sum(target)
    settings.ARCHIVE_SEAL_KEY = "an-attackers-guess-of-the-key-000000"
    manifest["mac"] = manifest_mac(manifest)
    (target / "MANIFEST.json").write_text(json.dumps(manifest))
    settings.ARCHIVE_SEAL_KEY = "test-archive-seal-key-0123456789"

    with pytest.raises(Exception) as exc:
        check_backup(target)
    assert "签名不符" in str(exc.value)


@pytest.mark.django_db
def test_an_unsigned_manifest_is_refused_unless_allowed_explicitly(make_item, tmp_path):
    from archive.backup import check_backup

    target = tmp_path / "bk"
    call_command("backup", "-o", str(target))
    manifest = json.loads((target / "MANIFEST.json").read_text())
    del manifest["mac"]
    manifest["format"] = 1  # as the older version wrote it
    (target / "MANIFEST.json").write_text(json.dumps(manifest))

    with pytest.raises(CommandError) as exc:
        call_command("restore", str(target))
    assert "没有签名" in str(exc.value) and "--allow-unsigned" in str(exc.value)
    assert check_backup(target, allow_unsigned=True)["files"] == manifest["files"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_restore_leaves_the_month_totals_compact(make_item, market, officer_market, tmp_path):
    """Loading 300 items fires their triggers (300 delta rows of ItemMonth); counted afresh, the totals are one row,
    and the table's file holds that row only, not the deltas as dead rows (seen after a restore at 100,000 items: a
    file of thousands of pages read by every count of the home page until a VACUUM FULL)."""
    from django.db import connection

    from infoflow.models import Item, ItemMonth

    Item.objects.bulk_create(
        Item(number="BK-2026-%04d" % n, unit=market, initiator=officer_market, subject="批量%d" % n,
             state=Item.State.COMPLETED) for n in range(300))
    sums_before = month_sums()
    call_command("backup", "-o", str(tmp_path / "bk"))
    call_command("flush", interactive=False, verbosity=0)
    call_command("restore", str(tmp_path / "bk"))

    assert month_sums() == sums_before
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size(%s)", [ItemMonth._meta.db_table])
        size = cursor.fetchone()[0]
    assert ItemMonth.objects.count() <= 5 and size <= 8192, size
