"""Pages of the information bulletin (/briefs/). Views are thin: objects come
through the selectors (one the user may not see is a 404), input is parsed,
one service is called and its error becomes a message with the input kept."""
from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoflow.visibility import items_visible_to
from liaison.pdf import PdfUnavailable

from . import export, selectors, summary, workbook
from .errors import BriefError
from .forms import AdoptionForm, EntryForm, IssueForm
from .models import AdoptionLevel, BulletinEntry
from .permissions import can_compile
from .services import adoption as adoption_services
from .services import issues as services

PAGE = 20


def _fail(request, error) -> None:
    messages.error(request, str(error))


def _issue(request, pk):
    return get_object_or_404(selectors.issue_with_entries(request.user), pk=pk)


def _entry(request, pk) -> BulletinEntry:
    return get_object_or_404(selectors.entries_visible_to(request.user).select_related("issue"), pk=pk)


@login_required
def issue_list(request):
    """Published issues (all staff) and drafts (the secretariat), searchable."""
    query = (request.GET.get("q") or "").strip()
    page = Paginator(selectors.issue_list(request.user, query), PAGE).get_page(request.GET.get("page"))
    return render(request, "briefs/list.html", {
        "page": page, "query": query, "manages": can_compile(request.user),
        "sees_summary": summary.can_see_summary(request.user),
    })


@login_required
def issue_create(request):
    if not can_compile(request.user):
        raise PermissionDenied
    form = IssueForm(request.POST or None, initial={"period": summary.parse_month(None), "title": _("信息简报")})
    if request.method == "POST" and form.is_valid():
        try:
            issue = services.create_issue(actor=request.user, **form.cleaned_data)
        except BriefError as error:
            _fail(request, error)
        else:
            messages.success(request, _("简报已创建，请编入信息。"))
            return redirect("briefs:detail", pk=issue.pk)
    return render(request, "briefs/issue_form.html", {"form": form, "issue": None})


@login_required
def issue_edit(request, pk):
    issue = _issue(request, pk)
    if not can_compile(request.user):
        raise PermissionDenied
    form = IssueForm(request.POST or None, instance=issue)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_issue(issue=issue, actor=request.user, **form.cleaned_data)
        except BriefError as error:
            _fail(request, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("briefs:detail", pk=issue.pk)
    return render(request, "briefs/issue_form.html", {"form": form, "issue": issue})


@login_required
def issue_detail(request, pk):
    """The issue: cover and entries; for a draft and the secretariat, the
    editing controls and the adopted items that may be added."""
    issue = _issue(request, pk)
    manages = can_compile(request.user) and issue.is_draft
    query = (request.GET.get("q") or "").strip()
    return render(request, "briefs/detail.html", {
        "issue": issue, "entries": list(issue.entries.all()), "manages": manages, "query": query,
        "candidates": selectors.candidates(request.user, issue, query) if manages else [],
        "cover_date": export.cover_date(issue),
    })


@login_required
@require_POST
def entry_add(request, pk):
    issue = _issue(request, pk)
    item = get_object_or_404(selectors.adoptable_items(request.user), pk=request.POST.get("item") or 0)
    try:
        services.add_item(issue=issue, item=item, actor=request.user)
    except BriefError as error:
        _fail(request, error)
    else:
        messages.success(request, _("已编入信息 %(number)s。") % {"number": item.number})
    return redirect("briefs:detail", pk=issue.pk)


@login_required
def entry_edit(request, pk):
    entry = _entry(request, pk)
    if not can_compile(request.user):
        raise PermissionDenied
    form = EntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_entry(entry=entry, actor=request.user, **form.cleaned_data)
        except BriefError as error:
            _fail(request, error)
        else:
            messages.success(request, _("已保存本期的文字（原信息不变）。"))
            return redirect("briefs:detail", pk=entry.issue_id)
    return render(request, "briefs/entry_form.html", {"form": form, "entry": entry, "issue": entry.issue})


@login_required
@require_POST
def entry_move(request, pk):
    entry = _entry(request, pk)
    try:
        services.move_entry(entry=entry, actor=request.user, up=request.POST.get("dir") != "down")
    except BriefError as error:
        _fail(request, error)
    return redirect("briefs:detail", pk=entry.issue_id)


@login_required
def entry_remove(request, pk):
    """GET: a confirmation page; POST: take the entry out of the draft."""
    entry = _entry(request, pk)
    if not can_compile(request.user):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.remove_entry(entry=entry, actor=request.user)
        except BriefError as error:
            _fail(request, error)
        else:
            messages.success(request, _("已从本期移出。"))
        return redirect("briefs:detail", pk=entry.issue_id)
    return render(request, "briefs/confirm.html", {
        "issue": entry.issue, "heading": _("从本期移出"), "button": _("移出"),
        "text": _("“%(title)s”将从本期简报中移出，本期为它编辑的文字将丢失；原信息不变。") % {"title": entry.title},
    })


@login_required
def issue_publish(request, pk):
    """GET: a confirmation page saying what publishing does; POST: publish."""
    issue = _issue(request, pk)
    if not can_compile(request.user):
        raise PermissionDenied
    if request.method == "POST":
        try:
            issue = services.publish_issue(issue=issue, actor=request.user)
        except (BriefError, PdfUnavailable) as error:
            _fail(request, error)
        else:
            messages.success(request, _("已发布%(number)s，并已归档。") % {"number": issue.number_label})
        return redirect("briefs:detail", pk=issue.pk)
    return render(request, "briefs/confirm.html", {
        "issue": issue, "heading": _("发布简报"), "button": _("发布"),
        "text": _("发布后本期取得本年度下一个期号，在信息公告栏显示，生成 PDF 并封存归档，所含信息记为“公司采用”，"
                  "不能再修改。共 %(n)s 条信息。") % {"n": issue.entries.count()},
    })


@login_required
def issue_file(request, pk, kind):
    """The issue as PDF (a published issue: its sealed PDF) or .docx."""
    issue = _issue(request, pk)
    entries = list(issue.entries.all())
    name = "%s-%s" % (issue.title, issue.number_label)
    if kind == "docx":
        data = export.issue_docx(issue, entries)
        return FileResponse(io.BytesIO(data), as_attachment=True, filename=name + ".docx",
                            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    record = getattr(issue, "record", None) if not issue.is_draft else None
    if record is not None and record.pdf:
        return FileResponse(record.pdf.open("rb"), as_attachment=True, filename=name + ".pdf",
                            content_type="application/pdf")
    try:
        data = export.issue_pdf(issue, entries)
    except PdfUnavailable as error:
        _fail(request, error)
        return redirect("briefs:detail", pk=issue.pk)
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=name + ".pdf", content_type="application/pdf")


@login_required
def adoptions(request):
    """Adoption records (the secretariat): the list, and a form recording a
    level for an item by its number."""
    if not can_compile(request.user):
        raise PermissionDenied
    form = AdoptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["number"].strip()
        item = items_visible_to(request.user).filter(number=number).first()
        if item is None:
            form.add_error("number", _("找不到编号为 %(number)s 的信息。") % {"number": number})
        else:
            try:
                adoption_services.record_adoption(item=item, level=form.cleaned_data["level"], actor=request.user,
                                                  note=form.cleaned_data["note"])
            except BriefError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("已记录信息 %(number)s 的采用级别。") % {"number": number})
                return redirect("briefs:adoptions")
    query = (request.GET.get("q") or "").strip()
    level = request.GET.get("level") or ""
    if level not in AdoptionLevel.values:
        level = ""
    page = Paginator(selectors.adoption_list(request.user, query, level), PAGE).get_page(request.GET.get("page"))
    return render(request, "briefs/adoptions.html", {
        "form": form, "page": page, "query": query, "level": level, "levels": AdoptionLevel.choices,
    })


def _summary(request, *, times: bool) -> dict:
    if not summary.can_see_summary(request.user):
        raise PermissionDenied
    return summary.month_summary(user=request.user, month=summary.parse_month(request.GET.get("month")), times=times)


@login_required
def summary_page(request):
    """The monthly publication summary (?month=YYYY-MM, default this month)."""
    data = _summary(request, times=False)  # the page shows no release times
    return render(request, "briefs/summary.html", {"s": data, "levels": AdoptionLevel.choices})


@login_required
def summary_xlsx(request):
    data = _summary(request, times=True)
    response = HttpResponse(workbook.summary_workbook(data, user=request.user),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="publication-%s.xlsx"' % data["month"]
    return response
