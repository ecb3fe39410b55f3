"""``manage.py check_roles``: exits 1 when one person holds two of the three
administrator duties (三员分立), naming them; 0 otherwise with a summary line."""
import sys

from django.core.management.base import BaseCommand

from dengbao.duties import Duty, holders_of_two, summary


class Command(BaseCommand):
    help = "Check the separation of the system, security and audit administrators (exit 1 on a conflict)."

    def handle(self, *args, **options):
        conflicts = holders_of_two()
        for user, duties in conflicts:
            held = ", ".join(f"{d} ({Duty(d).label})" for d in duties)
            self.stderr.write(f"CONFLICT {user.get_username()}: holds {held}")
        counts = summary()
        line = ", ".join(f"{d}={counts[d]}" for d in Duty.values)
        self.stdout.write(f"check_roles: {len(conflicts)} conflict(s); holders: {line}")
        if conflicts:
            sys.exit(1)
