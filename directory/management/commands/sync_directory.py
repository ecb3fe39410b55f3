"""manage.py sync_directory: the nightly directory sync, by hand (the beat
entry directory-sync runs the same function)."""
from django.core.management.base import BaseCommand, CommandError

from directory import ldap_directory
from directory.sync import run_sync


class Command(BaseCommand):
    help = "Compare the directory (LDAP / AD) with the portal's users and write a report for HR; changes nobody."

    def handle(self, *args, **options):
        if not ldap_directory.configured():
            raise CommandError("No directory configured: set LIAISON_LDAP_URI and LIAISON_LDAP_USER_BASE.")
        report = run_sync()
        for row in report.rows:
            self.stdout.write(f"{row['kind']}\t{row['username']}\t{row['name']}")
        if report.error:
            raise CommandError(f"sync failed: {report.error}")
        self.stdout.write(
            f"report {report.pk}: {report.new_count} new, {report.changed_count} changed, "
            f"{report.missing_count} missing, {report.disabled_count} disabled"
        )
