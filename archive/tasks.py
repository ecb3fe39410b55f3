"""Beat tasks: archive completed items whose working days are up; check the archive daily."""
from celery import shared_task

from .services import archive_due_items
from .services.checks import run_verification


@shared_task(name="archive.tasks.archive_due")
def archive_due():
    return len(archive_due_items())


@shared_task(name="archive.tasks.verify_daily")
def verify_daily():
    return run_verification(notify=True).ok
