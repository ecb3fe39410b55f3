"""The on-time page (按时率) and the chase (催办) action on an item."""
import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from liaison import audit
from liaison.normalize import AsciiDateField

from ..export_views import XLSX, temp_file_response
from ..ontime import can_view_ontime, ontime_report
from ..ontime_export import write_ontime
from ..permissions import is_handler
from ..services.chasing import chase_item, chase_step, may_chase_steps
from .common import ServiceFailed, get_item, service_errors


class PeriodForm(forms.Form):
    # An <input type="date"> takes ISO dates only, whatever the language's format.
    start = AsciiDateField(label=_l("开始日期"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = AsciiDateField(label=_l("结束日期"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), help_text=_l("含当日"))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("结束日期不能早于开始日期。"))
        return data


def _period(form):
    """[start, end) as aware datetimes: the chosen dates, by default this month so far."""
    today = timezone.localdate()
    start_day, end_day = today.replace(day=1), today
    if form.is_valid():
        start_day = form.cleaned_data.get("start") or start_day
        end_day = form.cleaned_data.get("end") or end_day
        if end_day < start_day:
            start_day = end_day
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(start_day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end, start_day, end_day


@login_required
def ontime(request):
    if not can_view_ontime(request.user):
        raise PermissionDenied(_("按时办理情况供秘书处、监察、总经理和分管领导查看。"))
    form = PeriodForm(request.GET or None)
    start, end, start_day, end_day = _period(form)
    report = ontime_report(request.user, start, end, steps_page=request.GET.get(STEPS_PAGE),
                           receivers_page=request.GET.get(RECEIVERS_PAGE))
    if not form.is_bound or form.is_valid():
        # The filter shows the period the figures are for, defaults included.
        form = PeriodForm(initial={"start": start_day, "end": end_day})
    return render(request, "infoflow/ontime.html", {
        "form": form, "report": report, "start_day": start_day, "end_day": end_day, "now": timezone.now(),
        "steps_query": _other_params(request, STEPS_PAGE),
        "receivers_query": _other_params(request, RECEIVERS_PAGE),
    })


# Each overdue list pages on its own (20 rows a page); its link keeps the
# period and the other list's page.
STEPS_PAGE, RECEIVERS_PAGE = "steps_page", "receivers_page"


def _other_params(request, param):
    """The query string without ``param``, ending in "&" when not empty."""
    params = request.GET.copy()
    params.pop(param, None)
    query = params.urlencode()
    return query + "&" if query else ""


@login_required
def ontime_export(request):
    """The page's per-department figures as an Excel file (audit-logged)."""
    if not can_view_ontime(request.user):
        raise PermissionDenied(_("按时办理情况供秘书处、监察、总经理和分管领导查看。"))
    form = PeriodForm(request.GET or None)
    start, end, start_day, end_day = _period(form)
    report = ontime_report(request.user, start, end, overdue=False)  # the file holds the rates only
    response = temp_file_response(
        lambda path: write_ontime(path, report, user=request.user, start_day=start_day, end_day=end_day),
        "按时办理情况_%s_%s.xlsx" % (start_day.isoformat(), end_day.isoformat()),
        XLSX,
    )
    audit.record(audit.Action.EXPORT, user=request.user, request=request,
                 detail="按时办理情况 %s 至 %s" % (start_day.isoformat(), end_day.isoformat()))
    return response


@login_required
@require_POST
def chase(request, pk):
    """Chase overdue receivers (all, or the one posted) or one overdue review
    step (``step``). Without ``confirm`` the page asks first; the service
    checks rights, state and the hourly limit."""
    item = get_item(request, pk)
    step = receiver = None
    if request.POST.get("step"):
        step = get_object_or_404(item.steps.all(), pk=request.POST["step"])
        if not may_chase_steps(request.user, item):
            raise PermissionDenied
    elif not is_handler(request.user, item):
        raise PermissionDenied
    if request.POST.get("receiver") and step is None:
        receiver = get_object_or_404(item.receivers.all(), pk=request.POST["receiver"])
    if not request.POST.get("confirm"):
        return render(request, "infoflow/chase_confirm.html", {"item": item, "receiver": receiver, "step": step})
    try:
        with service_errors(request):
            if step is not None:
                chases = [chase_step(item=item, step=step, actor=request.user)]
            else:
                chases = chase_item(item=item, actor=request.user, receiver=receiver)
    except ServiceFailed:
        return redirect("infoflow:item-detail", pk=item.pk)
    messages.success(request, _("已催办，共通知 %(count)s 人。") % {"count": sum(c.recipients for c in chases)})
    return redirect("infoflow:item-detail", pk=item.pk)
