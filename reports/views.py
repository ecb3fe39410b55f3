"""Pages of the reports to leaders: the list, a report's page, its PDF and
workbook, and the secretariat's "generate" (with a confirm page, since it
sends to the leaders). Each report is fetched through
``reports_visible_to``: one the user may not see is a 404."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from liaison import audit, preview
from liaison.pdf import PDF_FONT_FAMILY, PdfUnavailable, html_to_pdf, watermark_pdf

from . import selectors, services
from .forms import GenerateForm
from .models import Kind, Report
from .workbook import report_workbook

PAGE = 20


@login_required
def report_list(request):
    """The reports the user may read, newest period first; the secretariat's generate form."""
    qs = selectors.reports_visible_to(request.user)
    kind = request.GET.get("kind", "")
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(period__startswith=q)
    page = Paginator(qs.order_by("-first_day", "kind", "-pk"), PAGE).get_page(request.GET.get("page"))
    may_generate = selectors.may_generate(request.user)
    last = services.previous_month(timezone.now())
    return render(request, "reports/list.html", {
        "page": page, "kinds": Kind.choices, "q": q, "may_generate": may_generate,
        "form": GenerateForm(initial={"period": last.label}) if may_generate else None})


def _report(request, pk) -> Report:
    return get_object_or_404(selectors.reports_visible_to(request.user).defer(None), pk=pk)


@login_required
@require_GET
def report_detail(request, pk):
    report = _report(request, pk)
    addressees = report.addressees.select_related("user") if selectors.may_generate(request.user) else None
    return render(request, "reports/detail.html", {
        "report": report, "data": report.data, "addressees": addressees, "intact": services.verify(report)})


@login_required
@require_GET
def report_pdf(request, pk):
    """The report as a PDF, stamped with the reader's name and the time (liaison.pdf)."""
    report = _report(request, pk)
    html = render_to_string("reports/report_pdf.html", {"report": report, "data": report.data,
                                                        "font_family": PDF_FONT_FAMILY}, request=request)
    try:
        data = watermark_pdf(html_to_pdf(html), preview.watermark_text(request.user))
    except PdfUnavailable as exc:
        return render(request, "reports/pdf_unavailable.html", {"report": report, "message": exc.message}, status=503)
    audit.record(audit.Action.EXPORT, user=request.user, request=request, obj=report, detail="pdf")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, "report-%s-%s.pdf" % (report.kind,
                                                                                             report.period))
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def report_xlsx(request, pk):
    report = _report(request, pk)
    data = report_workbook(report.data, user=request.user, now=timezone.now())
    audit.record(audit.Action.EXPORT, user=request.user, request=request, obj=report, detail="xlsx")
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, "report-%s-%s.xlsx" % (report.kind,
                                                                                             report.period))
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def generate(request):
    """The secretariat generates a report by hand: a confirm page naming the leaders, then the service."""
    if not selectors.may_generate(request.user):
        raise PermissionDenied
    form = GenerateForm(request.POST or request.GET or None)
    leaders, ready, warning = [], False, ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        leaders = services.recipients_for(data["kind"])
        if request.method == "POST" and request.POST.get("confirm") == "1":
            try:
                report = services.generate_report(kind=data["kind"], period_label=data["period"],
                                                  actor=request.user)
            except services.ReportError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("报告已生成并发送给 %(n)d 位领导。") % {"n": len(leaders)})
                return redirect("reports:detail", report.pk)
        else:
            try:
                period = services.check_period(data["kind"], data["period"])
            except services.ReportError as error:
                messages.error(request, error.message)
            else:
                ready = True  # the confirm step: what will be sent to whom
                warning = services.yearly_warning(data["kind"], period)
    return render(request, "reports/generate.html", {"form": form, "leaders": leaders, "ready": ready,
                                                     "warning": warning})
