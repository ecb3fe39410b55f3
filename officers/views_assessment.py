"""The assessment pages (issue 14 §6, §7): thin views over officers.assessment.
Every fetch goes through the visibility selectors, so a period or a
breakdown the user may not see is the same 404 as a missing one."""
from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.errors import LiaisonError

from . import assessment as services
from . import assessment_charts as chart_data
from .assessment_export import write_ranking
from .assessment_models import AssessmentPeriod, Criterion


def _period(request, year) -> AssessmentPeriod:
    return get_object_or_404(services.periods_visible_to(request.user), year=year)


def _run(request, call, success):
    """Call a service; a refusal becomes a message (PermissionDenied a 403)."""
    try:
        call()
    except LiaisonError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


@login_required
def index(request):
    periods = list(services.periods_visible_to(request.user).order_by("-year"))
    own = {r.period_id: r for r in request.user.assessment_results.filter(period__in=periods)}
    rows = [(p, own.get(p.pk)) for p in periods]
    return render(request, "officers/assessment/index.html", {
        "rows": rows, "manages": services.manages_assessment(request.user),
        "awards": list(request.user.officer_awards.select_related("period", "unit")),
        "next_year": timezone.localdate().year,
    })


@login_required
@require_POST
def open_period(request):
    if not services.manages_assessment(request.user):
        raise PermissionDenied
    year = request.POST.get("year", "").strip()
    if not year.isdigit():
        messages.error(request, _("请填写正确的年度。"))
        return redirect("assessment:index")
    if _run(request, lambda: services.open_period(actor=request.user, year=int(year),
                                                  title=request.POST.get("title", "").strip()),
            _("已发起 %(year)s 年度考评。") % {"year": year}):
        return redirect("assessment:period", int(year))
    return redirect("assessment:index")


@login_required
def period_detail(request, year):
    period = _period(request, year)
    user = request.user
    ranking_visible = services.ranking_visible(user, period)
    ranking = list(services.ranking(period)) if ranking_visible else []
    own = period.results.filter(user=user).first()
    sees_all = services.sees_all_results(user)
    return render(request, "officers/assessment/period.html", {
        "period": period, "criteria": list(period.criteria.all()), "ranking": ranking,
        "departments": services.department_ranking(period) if ranking_visible else [],
        "ranking_visible": ranking_visible, "own": own, "sees_all": sees_all,
        "manages": services.manages_assessment(user) and not period.is_published,
        "distribution": chart_data.score_distribution(period) if ranking_visible and ranking else None,
    })


@login_required
@require_POST
def set_weights(request, year):
    period = _period(request, year)
    weights = {key[len("weight-"):]: value for key, value in request.POST.items() if key.startswith("weight-")}
    _run(request, lambda: services.set_weights(actor=request.user, period=period, weights=weights), _("分值已保存。"))
    return redirect("assessment:period", period.year)


@login_required
@require_POST
def compute(request, year):
    period = _period(request, year)
    _run(request, lambda: services.compute_period(actor=request.user, period=period), _("已按本年度记录重新计算得分。"))
    return redirect("assessment:period", period.year)


@login_required
@require_POST
def publish(request, year):
    period = _period(request, year)
    _run(request, lambda: services.publish_period(actor=request.user, period=period), _("考评结果已发布。"))
    return redirect("assessment:period", period.year)


@login_required
def result_detail(request, year, pk):
    period = _period(request, year)
    result = get_object_or_404(services.results_visible_to(request.user, period), pk=pk)
    criteria = list(period.criteria.all())
    parts = [(c, result.parts.get(c.code) or {}) for c in criteria]
    adjustments = [h for h in result.history.select_related("history_user").order_by("-history_date")
                   if h.adjustment_reason][:50]
    seen, history = set(), []
    for h in adjustments:  # one line per change of the adjustment, newest first
        key = (h.adjustment, h.adjustment_reason)
        if key not in seen:
            seen.add(key)
            history.append(h)
    return render(request, "officers/assessment/result.html", {
        "period": period, "result": result, "parts": parts, "history": history,
        "manages": services.manages_assessment(request.user) and not period.is_published,
        "award": result.excellent and period.is_published,
    })


@login_required
@require_POST
def hand_score(request, year, pk):
    period = _period(request, year)
    result = get_object_or_404(services.results_visible_to(request.user, period), pk=pk)
    criterion_id = request.POST.get("criterion", "")
    criterion = get_object_or_404(Criterion, period=period, pk=int(criterion_id) if criterion_id.isdigit() else 0)
    _run(request, lambda: services.enter_hand_score(actor=request.user, result=result, criterion=criterion,
                                                    score=request.POST.get("score", ""),
                                                    comment=request.POST.get("comment", "")),
         _("评分已保存。"))
    return redirect("assessment:result", period.year, result.pk)


@login_required
@require_POST
def adjust(request, year, pk):
    period = _period(request, year)
    result = get_object_or_404(services.results_visible_to(request.user, period), pk=pk)
    _run(request, lambda: services.adjust_score(actor=request.user, result=result,
                                                points=request.POST.get("points", ""),
                                                reason=request.POST.get("reason", "")),
         _("调整分已保存。"))
    return redirect("assessment:result", period.year, result.pk)


@login_required
def export(request, year):
    period = _period(request, year)
    if not services.ranking_visible(request.user, period):
        raise Http404
    out = io.BytesIO()
    write_ranking(out, period=period, criteria=list(period.criteria.all()), results=services.ranking(period),
                  user=request.user)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename="assessment-%s.xlsx" % period.year,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@login_required
def charts(request):
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    period = services.periods_visible_to(request.user).filter(year=year).first()
    distribution = None
    if period is not None and services.ranking_visible(request.user, period):
        distribution = chart_data.score_distribution(period)
    return render(request, "officers/assessment/charts.html", {
        "year": year, "items": chart_data.items_per_department(request.user, year),
        "rates": chart_data.on_time_rates(request.user, year), "distribution": distribution, "period": period,
    })
