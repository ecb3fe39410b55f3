"""Excel downloads: the communication log (directly or in the background) and
the officer roster. URLs in infoflow/export_urls.py, under /exports/.

The log link on a list page is ``{% url 'exports:log' %}?{{ form.querystring }}``
with the list's ItemFilterForm, so the file holds exactly the rows the list
shows: the same ``items_visible_to(user)`` and the same filters.
"""
from urllib.parse import urlencode
import os
import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from liaison import audit
from officers.roles import roles_of
from officers.roster_export import roster_file_name, write_roster

from .export import export_file_name, log_queryset, write_log
from .export_models import ExportJob
from .filters import ItemFilterForm
from .item_counts import log_count
from .tasks_export import start_log_export


def temp_file_response(write, filename, content_type):
    """Write a file with ``write(path)`` into a temporary file and stream it.

    The file is unlinked as soon as it is open (POSIX keeps the data until the
    response closes it), so nothing is left behind; memory holds one block."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write(path)
        stream = open(path, "rb")
    finally:
        os.remove(path)
    return FileResponse(stream, as_attachment=True, filename=filename, content_type=content_type)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def log_export(request):
    """The log of the rows the list shows. Small: the file at once. Large
    (above EXPORT_SYNC_MAX_ROWS): a page offering the background export."""
    form = ItemFilterForm(request.GET)
    scope = request.GET.get("scope", "")
    queryset = log_queryset(request.user, form, scope)
    total = queryset.count()
    if total > settings.EXPORT_SYNC_MAX_ROWS:
        return render(
            request,
            "infoflow/export_confirm.html",
            {
                "form": form,
                "total": total,
                "limit": settings.EXPORT_SYNC_MAX_ROWS,
                "filters": form.querystring(),
                "scope": scope,
            },
        )

    def write(path):
        write_log(path, queryset, user=request.user, filters_text=form.describe())

    response = temp_file_response(write, export_file_name(), XLSX)
    audit.record(
        audit.Action.EXPORT,
        user=request.user,
        request=request,
        detail="信息交流记录表 %s 行；筛选：%s" % (total, form.describe() or "无"),
    )
    return response


class WholeLogForm(ItemFilterForm):
    """The whole communication log's filters: the period (submission dates)
    and the department. A subset of the list filters, so the export link is
    the same ``exports:log`` with the same query string."""

    FIELDS = ("date_from", "date_to", "unit")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in self.FIELDS:
                del self.fields[name]
        self.order_fields(self.FIELDS)


def may_export_whole_log(user) -> bool:
    """Who gets the menu entry: those who see every unrestricted item
    (secretariat, supervision) and the superuser. Others may open the page
    too; their log is what they may see (infoflow.export_scope: no scope)."""
    return user.is_superuser or roles_of(user).sees_everything_unrestricted


@login_required
@require_GET
def log_overview(request):
    """The organisation's communication log (信息交流记录表) for a period and
    a department: how many rows it holds and a button naming them."""
    form = WholeLogForm(request.GET or None)
    total = log_count(request.user, form)
    if total is None:  # a period not of whole months: count the items themselves
        total = log_queryset(request.user, form).count()
    query = form.querystring()
    return render(
        request,
        "infoflow/export_log.html",
        {
            "form": form,
            "total": total,
            "filtered": bool(query),
            "export_url": reverse("exports:log") + ("?" + query if query else ""),
            "whole": may_export_whole_log(request.user),
        },
    )


@login_required
@require_POST
def log_export_start(request):
    """Queue a background export with the filters posted from the confirm page."""
    form = ItemFilterForm(QueryDict(request.POST.get("filters", "")))
    scope = request.POST.get("scope", "")
    total = log_queryset(request.user, form, scope).count()
    job = start_log_export(user=request.user, form=form, total_rows=total, request=request, scope=scope)
    return redirect("exports:job", public_id=job.public_id)


def _own_job(request, public_id):
    # Another user's job is the same 404 as a missing one.
    return get_object_or_404(ExportJob, public_id=public_id, user=request.user)


@login_required
def job_detail(request, public_id):
    job = _own_job(request, public_id)
    template = "infoflow/_export_progress.html" if request.headers.get("HX-Request") else "infoflow/export_job.html"
    return render(request, template, {"job": job})


@login_required
def job_list(request):
    jobs = ExportJob.objects.filter(user=request.user)[:20]
    return render(request, "infoflow/export_jobs.html", {"jobs": jobs})


@login_required
def job_download(request, public_id):
    job = _own_job(request, public_id)
    if job.state != ExportJob.State.DONE or not job.file or not default_storage.exists(job.file.name):
        raise Http404(_("文件不存在或已过期。"))
    audit.record(audit.Action.DOWNLOAD, user=request.user, request=request, obj=job, detail=job.file_name)
    return FileResponse(
        default_storage.open(job.file.name, "rb"), as_attachment=True, filename=job.file_name, content_type=XLSX
    )


@login_required
@require_GET
def roster_export(request):
    rows = []

    def write(path):
        rows.append(write_roster(path, user=request.user))

    response = temp_file_response(write, roster_file_name(), XLSX)
    audit.record(audit.Action.EXPORT, user=request.user, request=request, detail="联络员名录 %s 行" % rows[0])
    return response


def log_export_url(form, scope="") -> str:
    """The export link for the list ``scope`` filtered by ``form``."""
    query = form.querystring()
    if scope:
        query = "&".join(part for part in (query, urlencode({"scope": scope})) if part)
    return reverse("exports:log") + ("?" + query if query else "")
