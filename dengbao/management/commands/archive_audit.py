"""``manage.py archive_audit``: export audit rows older than
LIAISON_AUDIT_KEEP_MONTHS into sealed batches (dengbao/audit_archive.py);
one line per batch and a summary. ``--verify`` checks every batch instead."""
from django.core.management.base import BaseCommand, CommandError

from dengbao import audit_archive


class Command(BaseCommand):
    help = "Export audit rows older than the keep period into sealed archive batches (--verify: check them)."

    def add_arguments(self, parser):
        parser.add_argument("--verify", action="store_true", help="check every batch's hash and seal")

    def handle(self, *args, verify=False, **options):
        if verify:
            problems = audit_archive.verify_all()
            for problem in problems:
                self.stdout.write(f"batch {problem.number}: {problem.reason}")
            if problems:
                raise CommandError(f"archive_audit: {len(problems)} batch(es) failed verification")
            self.stdout.write("archive_audit: all batches verify")
            return
        batches = audit_archive.export_due(actor=None)
        for b in batches:
            self.stdout.write(f"batch {b.number}: rows {b.first_id}-{b.last_id} ({b.count}) sha256 {b.sha256} -> {b.file_name}")
        self.stdout.write(f"archive_audit: {len(batches)} batch(es), {sum(b.count for b in batches)} row(s) exported")
