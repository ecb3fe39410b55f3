"""``manage.py anonymise_left_officers``: blank phone and e-mail of officer posts
that ended more than LIAISON_ANONYMISE_LEFT_AFTER_DAYS days ago (on the post
and in its history); prints how many."""
from django.core.management.base import BaseCommand

from dengbao.anonymise import anonymise_left_officers


class Command(BaseCommand):
    help = "Anonymise officers who left more than LIAISON_ANONYMISE_LEFT_AFTER_DAYS days ago."

    def handle(self, *args, **options):
        count = anonymise_left_officers(actor=None)
        self.stdout.write(f"anonymise_left_officers: {count} post(s) anonymised")
