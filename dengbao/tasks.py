"""dengbao's periodic tasks (beat: liaison.schedule)."""
import logging

from celery import shared_task

from . import audit_archive

logger = logging.getLogger(__name__)


@shared_task(name="dengbao.tasks.archive_audit_daily", ignore_result=True)
def archive_audit_daily() -> int:
    """Daily: export audit rows older than AUDIT_KEEP_MONTHS into sealed
    batches (dengbao.audit_archive.export_due; idempotent). Returns the
    number of rows exported. A daily job, not a liaison.sweeps kind: it has
    no per-case cursor or notice."""
    batches = audit_archive.export_due(actor=None)
    rows = sum(b.count for b in batches)
    logger.info("dengbao archive_audit_daily: %d batch(es), %d row(s) exported", len(batches), rows)
    return rows
