"""Backup and restore (contract: ``backup -o DIR``, ``restore DIR``).

A backup folder holds ``db.json`` (every row of every table, ``dumpdata
--all`` with original primary keys, so guardian rows, history, auth, axes and
the audit chain come back exactly), ``media/`` (a copy of MEDIA_ROOT) and
``MANIFEST.json`` listing the SHA-256 of each file. The dump runs in one
REPEATABLE READ, read-only transaction on PostgreSQL (one transaction on
SQLite, whose WAL reader sees one snapshot), so the rows are consistent.

The manifest is authenticated: its ``mac`` is HMAC-SHA256 under the archive
seal key over the manifest's canonical JSON (format 2), so a backup whose
db.json was edited and whose sum was recomputed no longer verifies; nobody
without the seal key can forge one. Restore checks that signature, then the
sums (a damaged, incomplete or altered backup changes nothing), migrates, refuses a database with any user or item row, then
empties the freshly migrated tables (rows data migrations created) and loads
the dump; it copies the media files last. The archive seal key is not in the
backup: keep it apart (README "Backup and restore"), or verify_archive fails
after a restore on another machine.
"""
import hashlib
import hmac
import json
import os
import shutil
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infoflow.models import Item
from liaison.errors import BackupError

from .seal import canonical, seal_key

FORMAT = 2  # 1: unsigned manifests (before the HMAC), restored only when asked explicitly


def manifest_mac(manifest) -> str:
    """HMAC-SHA256 under the seal key of the manifest without its ``mac``,
    domain-separated from the archive's chains."""
    body = {k: v for k, v in manifest.items() if k != "mac"}
    return hmac.digest(seal_key(), b"BACKUP-MANIFEST|" + canonical(body).encode(), "sha256").hex()


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backup(target) -> dict:
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(_("备份目录 %(dir)s 不是空目录。") % {"dir": target})
    target.mkdir(parents=True, exist_ok=True)
    db_file = target / "db.json"
    nested = connection.in_atomic_block  # inside a caller's transaction (tests): its snapshot is used
    with transaction.atomic():
        if connection.vendor == "postgresql" and not nested:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        call_command("dumpdata", "--all", "--output", str(db_file), verbosity=0)
    media_root = Path(settings.MEDIA_ROOT)
    files = {"db.json": _sha256(db_file)}
    if media_root.exists():
        for path in sorted(media_root.rglob("*")):
            if path.is_file():
                rel = path.relative_to(media_root).as_posix()
                dest = target / "media" / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest)
                files["media/" + rel] = _sha256(dest)
    manifest = {"format": FORMAT, "created_at": timezone.now().isoformat(), "engine": connection.vendor,
                "files": files}
    manifest["mac"] = manifest_mac(manifest)
    (target / "MANIFEST.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


def check_backup(source, *, allow_unsigned=False) -> dict:
    source = Path(source)
    try:
        manifest = json.loads((source / "MANIFEST.json").read_text())
        files = manifest["files"]
        if not isinstance(files, dict):
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError):
        raise BackupError(_("备份目录 %(dir)s 没有可读的 MANIFEST.json。") % {"dir": source})
    signature = manifest.get("mac")
    if signature is None:
        if not (allow_unsigned and manifest.get("format") == 1):
            raise BackupError(_(
                "备份清单 MANIFEST.json 没有签名，无法确认备份未被改动，未做任何恢复。"
                "旧版本生成的备份如确认可信，可加 --allow-unsigned 恢复。"
            ))
    elif not isinstance(signature, str) or not hmac.compare_digest(signature, manifest_mac(manifest)):
        raise BackupError(_(
            "备份清单 MANIFEST.json 的签名不符，未做任何恢复：备份在生成后被改动过"
            "（例如改了 db.json 并重算了校验值），或本机的归档封存密钥与备份时不同。"
        ))
    if "db.json" not in files:
        raise BackupError(_("备份中没有数据库文件。"))
    problems = []
    for rel, digest in files.items():
        path = source / rel
        if not path.is_file():
            problems.append(_("缺少 %(file)s") % {"file": rel})
        elif _sha256(path) != digest:
            problems.append(_("%(file)s 已损坏（SHA-256 不符）") % {"file": rel})
    present = {p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file()} - {"MANIFEST.json"}
    problems.extend(_("多出未登记的文件 %(file)s") % {"file": rel} for rel in sorted(present - set(files)))
    if problems:
        raise BackupError(_("备份不完整或已损坏，未做任何恢复：%(list)s。") % {"list": "；".join(problems[:20])})
    return manifest


def database_is_empty() -> bool:
    return not get_user_model().objects.exists() and not Item.objects.exists()


def restore(source, *, allow_unsigned=False) -> dict:
    source = Path(source)
    manifest = check_backup(source, allow_unsigned=allow_unsigned)
    call_command("migrate", interactive=False, verbosity=0)
    if not database_is_empty():
        raise BackupError(_("数据库中已有用户或信息，拒绝恢复：请恢复到一个空数据库。"))
    media_root = Path(settings.MEDIA_ROOT)
    for rel in manifest["files"]:
        if rel.startswith("media/") and (media_root / rel[len("media/"):]).exists():
            existing = media_root / rel[len("media/"):]
            if _sha256(existing) != manifest["files"][rel]:
                raise BackupError(_("文件 %(file)s 已存在且内容不同，拒绝覆盖。") % {"file": existing})
    with transaction.atomic():
        # Rows the migrations created (defaults, content types, permissions)
        # come back from the dump with their original keys instead.
        call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
        call_command("loaddata", str(source / "db.json"), verbosity=0)
        # The month totals are derived: the dump holds them, and loading the
        # items and grants fired their triggers, which added them again.
        # Counted afresh from the restored rows, they are exact.
        # On PostgreSQL the tables are truncated first: the triggers' delta
        # rows (one per loaded item and grant) would otherwise stay behind as
        # dead rows, a file many times the totals' size that every count reads
        # until a VACUUM FULL. TRUNCATE gives the tables new, empty files; the
        # restore runs into an empty database, so its lock waits on nobody.
        # The overdue day totals (OverdueDay, the on-time page's counts) likewise.
        from infoflow import grant_months, item_months, overdue_days
        from infoflow.models import GrantMonth, ItemMonth, OverdueDay

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE %s" % ", ".join(
                    connection.ops.quote_name(model._meta.db_table) for model in (ItemMonth, GrantMonth, OverdueDay)))
        item_months.rebuild(connection)
        grant_months.rebuild(connection)
        overdue_days.rebuild(connection)
    for rel in manifest["files"]:
        if rel.startswith("media/"):
            dest = media_root / rel[len("media/"):]
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / rel, dest)
            os.chmod(dest, 0o640)
    return manifest
