import logging

from celery import shared_task

from liaison import sweeps
from liaison.calendar_data import fill_from_chinesecalendar

logger = logging.getLogger(__name__)


@shared_task(name="liaison.tasks.heartbeat", ignore_result=True)
def heartbeat():
    """Beat's tick: proves in the worker log that beat and worker both run."""
    logger.info("heartbeat: worker and beat are running")
    return "ok"


@shared_task(name="liaison.tasks.refresh_calendar", ignore_result=True)
def refresh_calendar():
    years = fill_from_chinesecalendar()
    logger.info("calendar refreshed for years %s", years)


@shared_task(
    name="liaison.tasks.run_sweeps",
    ignore_result=True,
    # A worker killed mid-sweep leaves the message unacknowledged and another
    # worker runs the sweep again: the killed batch's transaction rolled back
    # (its notices and cursors together), the committed ones are not redone.
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=240,
    time_limit=300,
)
def run_sweeps():
    """Beat, every minute: one run of every deadline sweep (liaison.sweeps)."""
    sent = sweeps.run(collect=False)
    if sent:
        logger.info("run_sweeps: %d notices", len(sent))
    return len(sent)


# Registered with the worker through this module (autodiscovery reads tasks.py).
from liaison.tasks_notify import deliver_notification, deliver_pending, retry_undelivered  # noqa: E402,F401
