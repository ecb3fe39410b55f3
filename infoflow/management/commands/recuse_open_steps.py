"""manage.py recuse_open_steps

Applies the separation of duties (infoflow.separation) to review steps that
opened before it: each pending reviewer who initiated or drafted the item,
or who decided the stage before on an external item, hands the step over as
a step opening today would (services.handover.recuse_open_steps). Prints one
line per handover and a last line ``handed over: N``; running it again
changes nothing.
"""
from django.core.management.base import BaseCommand

from infoflow.separation import handover_text
from infoflow.services.handover import recuse_open_steps


class Command(BaseCommand):
    help = "Hand over open review steps whose reviewer must stand aside (initiator, drafter, previous decider)."

    def handle(self, *args, **options):
        done = recuse_open_steps()
        for step, entry in done:
            self.stdout.write("%s\t%s\t%s" % (step.item.number or step.item_id, step.name, handover_text(entry)))
        self.stdout.write("handed over: %d" % len(done))
