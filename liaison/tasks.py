import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="liaison.tasks.heartbeat", ignore_result=True)
def heartbeat():
    """Beat's tick: proves in the worker log that beat and worker both run."""
    logger.info("heartbeat: worker and beat are running")
    return "ok"


@shared_task(name="liaison.tasks.refresh_calendar", ignore_result=True)
def refresh_calendar():
    from liaison.calendar_data import fill_from_chinesecalendar

    years = fill_from_chinesecalendar()
    logger.info("calendar refreshed for years %s", years)


# Registered with the worker through this module (autodiscovery reads tasks.py).
from liaison.tasks_notify import deliver_notification, deliver_pending, retry_undelivered  # noqa: E402,F401
