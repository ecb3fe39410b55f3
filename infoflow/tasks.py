"""Celery tasks of the information flow (background exports live in tasks_export)."""
import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(
    name="infoflow.tasks.send_reminders",
    ignore_result=True,
    # A worker killed mid-sweep leaves the message unacknowledged and another
    # worker runs the sweep again; the notice keys make that send nothing twice
    # (the killed sweep's open transaction rolled back).
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=240,
    time_limit=300,
)
def send_reminders():
    """Beat, every minute: one deadline sweep (infoflow.services.deadlines)."""
    from .services.deadlines import sweep

    sent = sweep()
    if sent:
        logger.info("send_reminders: %d notices", len(sent))
    return len(sent)
