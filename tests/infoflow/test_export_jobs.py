"""Background exports: the job, its task body, progress, download rights, expiry."""
import datetime
import os
from unittest import mock

import openpyxl
import pytest
import time_machine
from django.core.files.storage import default_storage
from django.urls import reverse

from infoflow.export_models import ExportJob
from infoflow.models import Item
from infoflow.tasks_export import remove_expired, run_log_export, write_job
from liaison.models import AuditEntry
from tests.infoflow.export_helpers import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(market, prod, officer_market, officer_prod):
    for n in range(5):
        make_item(unit=market, initiator=officer_market, subject=f"市场{n}", receivers=[prod])
    make_item(unit=prod, initiator=officer_prod, subject="生产", receivers=[market])


@pytest.fixture
def small_limit(settings):
    settings.EXPORT_SYNC_MAX_ROWS = 3
    settings.EXPORT_KEEP_HOURS = 24


def _start(client, user, query=""):
    client.force_login(user)
    page = client.get(reverse("exports:log") + query)
    return page


def test_big_export_offers_the_background_and_queues_one_task(client, items, small_limit, secretary,
                                                              django_capture_on_commit_callbacks):
    page = _start(client, secretary, "?q=市场")

    assert page.status_code == 200
    assert "开始后台导出" in page.content.decode()
    assert page.context["total"] == 5
    with mock.patch("infoflow.tasks_export.run_log_export.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("exports:log-start"), {"filters": page.context["filters"]})

    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("exports:job", args=[job.public_id])
    assert job.user == secretary and job.filters == "q=%E5%B8%82%E5%9C%BA" and job.total_rows == 5
    delay.assert_called_once_with(job.pk)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.user == secretary and "后台" in entry.detail and "关键词=市场" in entry.detail


def test_task_writes_the_file_with_progress_and_expiry(items, secretary, settings):
    settings.EXPORT_KEEP_HOURS = 24
    job = ExportJob.objects.create(user=secretary, filters="q=市场")

    with time_machine.travel("2025-10-09 14:30+08:00", tick=False):
        write_job(job.pk)

    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE and job.done_rows == 5 and job.percent == 100
    assert job.expires_at == job.finished_at + datetime.timedelta(hours=24)
    assert job.file_name == "信息交流记录表_20251009_1430.xlsx"
    book = openpyxl.load_workbook(default_storage.path(job.file.name))
    subjects = [row[5] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert sorted(subjects) == [f"市场{n}" for n in range(5)]


def test_task_applies_the_users_visibility(items, head_prod):
    job = ExportJob.objects.create(user=head_prod, filters="")

    write_job(job.pk)

    job.refresh_from_db()
    book = openpyxl.load_workbook(default_storage.path(job.file.name))
    assert [row[5] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)] == ["生产"]


def test_progress_is_reported_per_chunk(items, secretary, monkeypatch):
    from infoflow import tasks_export

    seen = []
    real = tasks_export._set_progress
    monkeypatch.setattr("infoflow.export.CHUNK_SIZE", 2)
    monkeypatch.setattr(tasks_export, "_set_progress", lambda pk, n: (seen.append(n), real(pk, n)))
    job = ExportJob.objects.create(user=secretary)

    write_job(job.pk)

    assert seen == [2, 4, 6]


def test_second_run_of_the_same_job_does_nothing(items, secretary):
    job = ExportJob.objects.create(user=secretary)
    write_job(job.pk)
    first = ExportJob.objects.get(pk=job.pk)

    assert write_job(job.pk) is None
    run_log_export(job.pk)  # the task body: also a no-op

    again = ExportJob.objects.get(pk=job.pk)
    assert again.file.name == first.file.name and again.finished_at == first.finished_at


def test_failure_is_recorded_and_no_file_is_left(items, secretary):
    job = ExportJob.objects.create(user=secretary)

    with mock.patch("infoflow.tasks_export.write_log", side_effect=OSError("磁盘已满")):
        run_log_export(job.pk)

    job.refresh_from_db()
    assert job.state == ExportJob.State.FAILED and job.error == "磁盘已满"
    assert not job.file
    assert os.listdir(default_storage.path("exports")) == []


def test_only_the_user_who_asked_may_see_or_download(client, items, secretary, head_market):
    job = ExportJob.objects.create(user=secretary)
    write_job(job.pk)

    client.force_login(head_market)
    assert client.get(reverse("exports:job", args=[job.public_id])).status_code == 404
    assert client.get(reverse("exports:job-download", args=[job.public_id])).status_code == 404

    client.force_login(secretary)
    response = client.get(reverse("exports:job-download", args=[job.public_id]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOAD, user=secretary).count() == 1


def test_download_requires_login(client, items, secretary):
    job = ExportJob.objects.create(user=secretary)

    response = client.get(reverse("exports:job-download", args=[job.public_id]))

    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_progress_page_polls_until_done(client, items, secretary):
    job = ExportJob.objects.create(user=secretary, total_rows=6)
    client.force_login(secretary)

    page = client.get(reverse("exports:job", args=[job.public_id]))
    fragment = client.get(reverse("exports:job", args=[job.public_id]), HTTP_HX_REQUEST="true")

    assert 'hx-trigger="every 2s"' in page.content.decode()
    assert "<html" not in fragment.content.decode() and "<progress" in fragment.content.decode()
    write_job(job.pk)
    done = client.get(reverse("exports:job", args=[job.public_id]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and "下载 Excel" in done


def test_pending_job_cannot_be_downloaded(client, secretary):
    job = ExportJob.objects.create(user=secretary)
    client.force_login(secretary)

    assert client.get(reverse("exports:job-download", args=[job.public_id])).status_code == 404


def test_expired_files_are_removed(items, secretary, settings):
    settings.EXPORT_KEEP_HOURS = 24
    with time_machine.travel("2025-10-09 14:30+08:00", tick=False):
        job = ExportJob.objects.create(user=secretary)
        write_job(job.pk)
    path = default_storage.path(ExportJob.objects.get(pk=job.pk).file.name)

    with time_machine.travel("2025-10-10 14:29+08:00", tick=False):
        assert remove_expired() == 0
    assert os.path.exists(path)
    with time_machine.travel("2025-10-10 14:31+08:00", tick=False):
        assert remove_expired() == 1

    job.refresh_from_db()
    assert job.state == ExportJob.State.EXPIRED and not job.file
    assert not os.path.exists(path)


def test_stuck_jobs_are_failed_after_the_keep_time(secretary, settings):
    settings.EXPORT_KEEP_HOURS = 24
    with time_machine.travel("2025-10-09 14:30+08:00", tick=False):
        job = ExportJob.objects.create(user=secretary)

    with time_machine.travel("2025-10-10 15:00+08:00", tick=False):
        remove_expired()

    job.refresh_from_db()
    assert job.state == ExportJob.State.FAILED


def test_job_list_shows_only_own_jobs(client, secretary, head_market):
    ExportJob.objects.create(user=secretary, filters_text="紧急程度=紧急")
    ExportJob.objects.create(user=head_market, filters_text="别人的导出")
    client.force_login(secretary)

    page = client.get(reverse("exports:jobs")).content.decode()

    assert "紧急程度=紧急" in page and "别人的导出" not in page


def test_start_requires_post(client, secretary):
    client.force_login(secretary)

    assert client.get(reverse("exports:log-start")).status_code == 405
    assert not Item.objects.exists() and not ExportJob.objects.exists()
