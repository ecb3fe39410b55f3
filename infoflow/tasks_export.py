"""Background exports of the communication log (issue 7).

A log larger than settings.EXPORT_SYNC_MAX_ROWS is written by a worker:
``start_log_export`` records an ExportJob and queues ``run_log_export`` after
commit; the task writes the workbook, reporting progress in the job row (the
progress page polls it); the file is kept settings.EXPORT_KEEP_HOURS and then
removed by the beat task ``remove_expired_exports``. Only the user who asked
may download it (infoflow.export_views).

The task re-applies the user's visibility when it runs: an export never holds
an item the user could not see at that moment.
"""
import logging
import os
from urllib.parse import urlencode
import tempfile
from datetime import timedelta
from functools import partial

from celery import shared_task
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from liaison import audit

from . import export
from .export import export_file_name, log_queryset, write_log
from .export_models import ExportJob
from .filters import ItemFilterForm

logger = logging.getLogger(__name__)

EXPORT_DIR = "exports"


def start_log_export(*, user, form, total_rows=0, request=None, scope="") -> ExportJob:
    """Record a background export of the log for ``user`` with the list
    filters of ``form``, write its audit row and queue the task after commit."""
    with transaction.atomic():
        job = ExportJob.objects.create(
            user=user,
            # The list the export was asked from travels with the filters.
            filters="&".join(p for p in (form.querystring(), urlencode({"scope": scope}) if scope else "") if p),
            filters_text=form.describe()[:500],
            total_rows=total_rows,
        )
        audit.record(
            audit.Action.EXPORT,
            user=user,
            request=request,
            obj=job,
            detail="信息交流记录表（后台）%s 行；筛选：%s" % (total_rows, job.filters_text or "无"),
        )
        transaction.on_commit(partial(run_log_export.delay, job.pk))
    return job


def _set_progress(job_pk, done):
    ExportJob.objects.filter(pk=job_pk).update(done_rows=done)


def write_job(job_pk) -> ExportJob | None:
    """Write the workbook of a pending job. Claims the job first, so a second
    run (a redelivered task) does nothing and returns None."""
    now = timezone.now()
    claimed = ExportJob.objects.filter(pk=job_pk, state=ExportJob.State.PENDING).update(
        state=ExportJob.State.RUNNING, started_at=now
    )
    if claimed != 1:
        return None
    job = ExportJob.objects.select_related("user").get(pk=job_pk)
    params = QueryDict(job.filters)
    form = ItemFilterForm(params)
    queryset = log_queryset(job.user, form, params.get("scope", ""))
    ExportJob.objects.filter(pk=job_pk).update(total_rows=queryset.count())

    name = default_storage.generate_filename(f"{EXPORT_DIR}/{job.public_id.hex}.xlsx")
    target = default_storage.path(name)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    # Write beside the target and rename: a half-written file is never offered.
    handle, partial_path = tempfile.mkstemp(suffix=".xlsx.part", dir=os.path.dirname(target))
    os.close(handle)
    try:
        count = write_log(
            partial_path,
            queryset,
            user=job.user,
            filters_text=job.filters_text,
            now=now,
            progress=partial(_set_progress, job_pk),
            chunk_size=export.CHUNK_SIZE,
        )
        os.replace(partial_path, target)
    except Exception as exc:
        if os.path.exists(partial_path):
            os.remove(partial_path)
        logger.exception("export job %s failed", job_pk)
        ExportJob.objects.filter(pk=job_pk).update(
            state=ExportJob.State.FAILED, finished_at=timezone.now(), error=str(exc)[:500]
        )
        raise
    finished = timezone.now()
    ExportJob.objects.filter(pk=job_pk).update(
        state=ExportJob.State.DONE,
        done_rows=count,
        total_rows=count,
        file=name,
        file_name=export_file_name(now),
        finished_at=finished,
        expires_at=finished + timedelta(hours=settings.EXPORT_KEEP_HOURS),
    )
    return ExportJob.objects.get(pk=job_pk)


@shared_task(soft_time_limit=3600, time_limit=3700)
def run_log_export(job_pk):
    try:
        write_job(job_pk)
    except Exception:  # recorded on the job; the user sees "失败" and may try again
        pass


def remove_expired(now=None) -> int:
    """Delete the files of finished jobs past their time and mark them
    expired; fail jobs stuck for longer than the keep time (a lost worker).
    Returns the number of jobs changed."""
    now = now or timezone.now()
    changed = 0
    for job in ExportJob.objects.filter(state=ExportJob.State.DONE, expires_at__lte=now):
        if job.file and default_storage.exists(job.file.name):
            default_storage.delete(job.file.name)
        if ExportJob.objects.filter(pk=job.pk, state=ExportJob.State.DONE).update(
            state=ExportJob.State.EXPIRED, file=""
        ):
            changed += 1
    stale = now - timedelta(hours=settings.EXPORT_KEEP_HOURS)
    changed += ExportJob.objects.filter(
        state__in=[ExportJob.State.PENDING, ExportJob.State.RUNNING], created_at__lte=stale
    ).update(state=ExportJob.State.FAILED, finished_at=now, error="超时未完成")
    return changed


@shared_task
def remove_expired_exports():
    count = remove_expired()
    if count:
        logger.info("removed %s expired export(s)", count)
    return count
