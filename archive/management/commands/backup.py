"""``manage.py backup -o DIR``: a consistent copy of the database and the
uploaded files with a manifest of SHA-256 sums (archive/backup.py)."""
from django.core.management.base import BaseCommand, CommandError

from archive.backup import backup
from liaison.errors import BackupError


class Command(BaseCommand):
    help = "备份数据库和上传的文件到一个新目录（含 SHA-256 清单）。"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="新的（或空的）备份目录")

    def handle(self, *args, **options):
        try:
            manifest = backup(options["output"])
        except BackupError as exc:
            raise CommandError(exc.message)
        self.stdout.write("backup: %d files -> %s" % (len(manifest["files"]), options["output"]))
