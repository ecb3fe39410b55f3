"""Officers' periodic tasks (beat: liaison.schedule)."""
import logging

from celery import shared_task

from . import flags, trainings, work

logger = logging.getLogger(__name__)


@shared_task(name="officers.tasks.work_daily", ignore_result=True)
def work_daily():
    """Daily: open the work reports of the period just ended for every active
    officer (officers.work.open_reports), and run the meeting-absence
    replacement rule (officers.flags.sweep_meeting_absences). Both are
    idempotent: a second run creates and raises nothing."""
    opened = work.open_reports()
    raised = flags.sweep_meeting_absences()
    logger.info("officers work_daily: %d reports opened, %d flags raised", opened, raised)
    return opened, raised


@shared_task(name="officers.tasks.inductions_daily", ignore_result=True)
def inductions_daily():
    """Daily: open the induction (岗前培训, due settings.INDUCTION_DAYS after
    the appointment) of every active officer appointed without one; the
    induction sweep (officers.meeting_sweeps) then reminds and reports it
    late. Idempotent."""
    opened = trainings.sync_inductions()
    logger.info("officers inductions_daily: %d inductions opened", opened)
    return opened
