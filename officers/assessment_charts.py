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

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from datacalls.models import Answer
from infoflow.models import OnTimeDay
from infoflow.item_counts import visible_item_months

from .assessment import sees_all_results
from .assessment_models import AssessmentResult
from .assessment_scores import year_bounds
from .svg_charts import bar_chart, column_chart, histogram
from .models import OrgUnit
from .roles import roles_of


def items_per_department(user, year: int):
    """Per department (in the units' order), the items ``user`` may see
    submitted in each local month of ``year``: ``items_visible_to`` counted
    through the month totals (infoflow.item_counts; issue 12)."""
    counts = visible_item_months(user, first=dt.date(year, 1, 1), last=dt.date(year, 12, 1))
    units = OrgUnit.objects.filter(pk__in={unit_id for unit_id, _month in counts}).order_by("sort_order", "code")
    series: dict = {}
    for unit_id, name in units.values_list("pk", "name"):
        months = series.setdefault(name, [0] * 12)  # keyed by name, as the chart's legend
        for month in range(1, 13):
            months[month - 1] += counts.get((unit_id, dt.date(year, month, 1)), 0)
    labels = [_("%(m)d月") % {"m": m} for m in range(1, 13)]
    return column_chart(title=_("%(year)s 年各部门每月信息数") % {"year": year}, labels=labels,
                        series=list(series.items()) or [(_("信息数"), [0] * 12)], unit=_("条"))


def _rate(good, total):
    return None if not total else round(100 * good / total, 1)


_compiled: dict = {}


def _rows(key: tuple, build) -> list[tuple]:
    """The rows of the queryset ``build()`` gives, its SQL compiled once per
    process for ``key`` (every value the queryset depends on): compiling the
    rates' ORM queries cost more Python than running them (issue 12)."""
    key = (connection.alias, timezone.get_current_timezone_name(), *key)
    entry = _compiled.get(key)
    if entry is None:
        if len(_compiled) > 500:  # the year comes from the query string: keep the cache bounded
            _compiled.clear()
        try:
            entry = build().query.get_compiler(connection=connection).as_sql()
        except EmptyResultSet:  # no units to read (``unit_id__in=()``): no rows, as the ORM answers
            entry = None
        _compiled[key] = entry
    if entry is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(*entry)
        return cursor.fetchall()


def _call_rows(year: int, unit_ids):
    start, end = year_bounds(year)
    answers = Answer.objects.filter(occurrence__due_at__gte=start, occurrence__due_at__lt=end).exclude(
        state__in=Answer.OPEN_STATES, occurrence__closed_at__isnull=True)
    if unit_ids is not None:
        answers = answers.filter(unit_id__in=unit_ids)
    return answers.order_by().values_list("unit_id").annotate(
        n=Count("pk"), good=Count("pk", filter=Q(state__in=Answer.IN_STATES, late=False)))


def _review_rows(year: int, unit_ids):
    # The year's local days (OnTimeDay.day is the local date the step closed).
    steps = OnTimeDay.objects.filter(kind=OnTimeDay.Kind.REVIEW, day__gte=dt.date(year, 1, 1),
                                     day__lt=dt.date(year + 1, 1, 1))
    if unit_ids is not None:
        steps = steps.filter(unit_id__in=unit_ids)
    return steps.order_by().values_list("unit_id").annotate(n=Sum("done"), good=Sum("done_on_time"))


def on_time_rates(user, year: int):
    r = roles_of(user)
    units = None if sees_all_results(user) or r.is_secretariat else tuple(sorted(r.member_unit_ids))
    calls = {unit_id: (good, n) for unit_id, n, good in _rows(("calls", year, units),
                                                              lambda: _call_rows(year, units))}
    reviews = {unit_id: (good, n) for unit_id, n, good in _rows(("reviews", year, units),
                                                                lambda: _review_rows(year, units))}
    # Ids and names only: 50 whole units cost more to build than the query.
    units = list(OrgUnit.objects.filter(pk__in=set(calls) | set(reviews)).order_by("sort_order", "code")
                 .values_list("pk", "name"))
    return bar_chart(
        title=_("%(year)s 年各部门按时率") % {"year": year}, labels=[name for _pk, name in units], max_value=100,
        unit="%", series=[(_("报送任务按时率"), [_rate(*calls.get(pk, (0, 0))) for pk, _name in units]),
                          (_("审核按时率"), [_rate(*reviews.get(pk, (0, 0))) for pk, _name in units])],
    )


def score_distribution(period):
    totals = list(AssessmentResult.objects.filter(period=period).values_list("total", flat=True))
    return histogram(title=_("%(title)s 得分分布") % {"title": period.title}, values=totals, unit=_("人数"))
