"""The numbers behind the charts (issue 14 §7), each read with one query and
drawn by officers.charts:

* items per department per month — the items the user may see
  (``items_visible_to``) submitted in the year;
* on-time rates per department — data call answers that fell due in the year
  (submitted and not late / due), and review steps decided (approved or
  returned) in the year (decided by the due time / decided with a limit),
  read from the day totals the review services keep (infoflow.OnTimeDay:
  at most 365 rows a department, not every step of the year; issue 12);
  both are organisation figures, as on the on-time page (a department's
  rate is the same for everyone who reads it, no item named): HR,
  supervision, leaders and the secretariat see every unit's, everyone else
  their own units';
* the score distribution of a period whose ranking the user may see.
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext as _

from datacalls.models import Answer
from infoflow.models import OnTimeDay
from infoflow.visibility import items_visible_to

from .assessment import sees_all_results
from .assessment_models import AssessmentResult
from .assessment_scores import year_bounds
from .svg_charts import bar_chart, column_chart, histogram
from .models import OrgUnit
from .roles import roles_of


def items_per_department(user, year: int):
    start, end = year_bounds(year)
    rows = (
        items_visible_to(user).filter(submitted_at__gte=start, submitted_at__lt=end)
        .annotate(month=ExtractMonth("submitted_at")).values("unit__name", "unit__sort_order", "unit__code", "month")
        .annotate(n=Count("pk")).order_by("unit__sort_order", "unit__code", "month")
    )
    series: dict = {}
    for row in rows:
        series.setdefault(row["unit__name"], [0] * 12)[row["month"] - 1] += row["n"]
    labels = [_("%(m)d月") % {"m": m} for m in range(1, 13)]
    return column_chart(title=_("%(year)s 年各部门每月信息数") % {"year": year}, labels=labels,
                        series=list(series.items()) or [(_("信息数"), [0] * 12)], unit=_("条"))


def _rate(good, total):
    return None if not total else round(100 * good / total, 1)


def on_time_rates(user, year: int):
    start, end = year_bounds(year)
    r = roles_of(user)
    answers = Answer.objects.filter(occurrence__due_at__gte=start, occurrence__due_at__lt=end).exclude(
        state__in=Answer.OPEN_STATES, occurrence__closed_at__isnull=True)
    # The year's local days (OnTimeDay.day is the local date the step closed).
    steps = OnTimeDay.objects.filter(kind=OnTimeDay.Kind.REVIEW, day__gte=dt.date(year, 1, 1),
                                     day__lt=dt.date(year + 1, 1, 1))
    if not (sees_all_results(user) or r.is_secretariat):
        answers = answers.filter(unit_id__in=r.member_unit_ids)
        steps = steps.filter(unit_id__in=r.member_unit_ids)
    calls = {row["unit_id"]: (row["good"], row["n"]) for row in answers.values("unit_id").annotate(
        n=Count("pk"), good=Count("pk", filter=Q(state__in=Answer.IN_STATES, late=False)))}
    steps = steps.order_by().values("unit_id").annotate(n=Sum("done"), good=Sum("done_on_time"))
    reviews = {row["unit_id"]: (row["good"], row["n"]) for row in steps}
    units = list(OrgUnit.objects.filter(pk__in=set(calls) | set(reviews)).order_by("sort_order", "code"))
    return bar_chart(
        title=_("%(year)s 年各部门按时率") % {"year": year}, labels=[u.name for u in units], max_value=100, unit="%",
        series=[(_("报送任务按时率"), [_rate(*calls.get(u.pk, (0, 0))) for u in units]),
                (_("审核按时率"), [_rate(*reviews.get(u.pk, (0, 0))) for u in units])],
    )


def score_distribution(period):
    totals = list(AssessmentResult.objects.filter(period=period).values_list("total", flat=True))
    return histogram(title=_("%(title)s 得分分布") % {"title": period.title}, values=totals, unit=_("人数"))
