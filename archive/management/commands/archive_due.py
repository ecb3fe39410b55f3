"""``manage.py archive_due``: the automatic archiving sweep (as the beat task)."""
from django.core.management.base import BaseCommand

from archive.services import archive_due_items


class Command(BaseCommand):
    help = "归档办结后已满规定工作日的信息（与定时任务相同）。"

    def handle(self, *args, **options):
        records = archive_due_items()
        for record in records:
            self.stdout.write("%s %s" % (record.number, record.subject))
        self.stdout.write("archived: %d" % len(records))
