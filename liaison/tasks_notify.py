"""Celery tasks delivering notices (liaison.notifications)."""
import logging

from celery import shared_task

from liaison import notifications

logger = logging.getLogger(__name__)


@shared_task(
    name="liaison.tasks_notify.deliver_notification",
    ignore_result=True,
    # A worker killed mid-task leaves the message unacknowledged, so another
    # worker runs it; the per-channel claim keeps that from sending twice.
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    max_retries=5,
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    soft_time_limit=60,
    time_limit=90,
)
def deliver_notification(pk):
    return notifications.deliver(pk)


@shared_task(
    name="liaison.tasks_notify.deliver_pending",
    ignore_result=True,
    # Killed mid-run: the message goes back and the next run claims what is
    # left; a channel claimed by the dead run is reclaimed by retry_undelivered.
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=240,
    time_limit=300,
)
def deliver_pending():
    """Queued after each commit that wrote notices (liaison.notifications.write)."""
    return notifications.deliver_pending()


@shared_task(name="liaison.tasks_notify.retry_undelivered", ignore_result=True, acks_late=True, time_limit=300)
def retry_undelivered():
    """Queue again what was never queued (broker down at commit time), what
    failed with tries left, and what a dead worker left half-sent."""
    pks = notifications.undelivered()
    queued = sum(notifications.enqueue_delivery(pk) for pk in pks)
    if pks:
        logger.info("retry_undelivered: queued %s of %s notifications", queued, len(pks))
    return queued
