"""Beat tasks: archive completed items whose working days are up; check the archive daily."""
from celery import shared_task


@shared_task(name="archive.tasks.archive_due")
def archive_due():
    from .services import archive_due_items

    return len(archive_due_items())


@shared_task(name="archive.tasks.verify_daily")
def verify_daily():
    from .services.checks import run_verification

    return run_verification(notify=True).ok
