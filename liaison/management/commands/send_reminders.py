"""``manage.py send_reminders``: one run of every deadline sweep
(liaison.sweeps), as beat runs every minute.

Prints one line per notice written, then ``sent: N``. A second run right after
sends nothing (each case's cursor has moved on)."""
from django.core.management.base import BaseCommand
from django.utils import timezone

from liaison import sweeps


class Command(BaseCommand):
    help = "Send the reminders, overdue notices and escalations that are due now (one sweep)."

    def handle(self, *args, **options):
        sent = sweeps.run()
        for n in sent:
            due = timezone.localtime(n.due_at).strftime("%Y-%m-%d %H:%M") if n.due_at else "-"
            self.stdout.write(f"{n.kind}\t{n.recipient.username}\t{n.item_number or '-'}\t{due}\t{n.key}")
        self.stdout.write(f"sent: {len(sent)}")
