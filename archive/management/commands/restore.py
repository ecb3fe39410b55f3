"""``manage.py restore DIR``: restore a backup into an empty database;
refuses a non-empty database and a damaged backup (archive/backup.py)."""
from django.core.management.base import BaseCommand, CommandError

from archive.backup import restore
from liaison.errors import BackupError


class Command(BaseCommand):
    help = "把备份恢复到空数据库；数据库非空或备份损坏时拒绝。"

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument(
            "--allow-unsigned", action="store_true",
            help="也恢复旧版本生成的无签名备份（清单 format 1）；只用于确认可信的备份。",
        )

    def handle(self, *args, **options):
        try:
            manifest = restore(options["directory"], allow_unsigned=options["allow_unsigned"])
        except BackupError as exc:
            raise CommandError(exc.message)
        self.stdout.write("restored: %d files from %s" % (len(manifest["files"]), options["directory"]))
        self.stdout.write("run verify_archive to check the restored archive (it needs the same seal key)")
