"""Statistics of the suggestion box (issue 17 §4): counts by kind,
category, unit and finding, and the median time from submission to answer
in working days (liaison.workdays), over the cases a user may see
(selectors.cases_visible_to). Counts are grouped in the database; the
median reads the answered cases' two timestamps only. Nothing here reads
who wrote.
"""
from __future__ import annotations

import statistics

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from liaison.workdays import working_day_length, working_time_between
from officers.charts import stacked_bar_chart

from .models import Case

KIND_COLOURS = (("suggestion", "#2e7d32"), ("complaint", "#f9a825"), ("report", "#c62828"))


def working_days_to_answer(submitted_at, answered_at) -> float:
    """Working days between two moments (nights, weekends and holidays not counted)."""
    return working_time_between(submitted_at, answered_at) / working_day_length()


def _counts(qs: QuerySet, field: str) -> dict:
    return {row[field]: row["n"] for row in qs.order_by().values(field).annotate(n=Count("pk"))}


def summary(qs: QuerySet) -> dict:
    """{"total", "by_kind", "by_category", "by_unit", "by_finding", "by_state",
    "median_days" (None without answers), "answered", "chart"} for ``qs``.
    Rows are (label, count) lists; by_category rows also carry per-kind counts."""
    kinds = dict(Case.Kind.choices)
    findings = dict(Case.Finding.choices)
    states = dict(Case.State.choices)
    by_kind = _counts(qs, "kind")
    by_finding = _counts(qs.exclude(finding=""), "finding")
    by_state = _counts(qs, "state")
    by_unit = [(row["unit__name"] or _("未分派"), row["n"]) for row in
               qs.order_by().values("unit__name", "unit__sort_order").annotate(n=Count("pk"))
               .order_by("unit__sort_order", "unit__name")]
    categories = {}
    for row in qs.order_by().values("category__name", "category__sort_order", "kind").annotate(n=Count("pk")):
        entry = categories.setdefault((row["category__sort_order"], row["category__name"]),
                                      {"label": row["category__name"], "total": 0})
        entry[row["kind"]] = row["n"]
        entry["total"] += row["n"]
    by_category = [categories[k] for k in sorted(categories)]
    for entry in by_category:
        for key, _colour in KIND_COLOURS:
            entry.setdefault(key, 0)
    times = [working_days_to_answer(s, a) for s, a in
             qs.filter(answered_at__isnull=False).order_by().values_list("submitted_at", "answered_at")]
    return {
        "total": sum(by_kind.values()),
        "by_kind": [(kinds[k], by_kind.get(k, 0)) for k in kinds],
        "by_finding": [(findings[k], by_finding.get(k, 0)) for k in findings],
        "by_state": [(states[k], by_state.get(k, 0)) for k in states],
        "by_unit": by_unit,
        "by_category": by_category,
        "answered": len(times),
        "median_days": round(statistics.median(times), 1) if times else None,
        "chart": stacked_bar_chart(by_category, KIND_COLOURS),
        "kind_labels": [(key, colour, kinds[key]) for key, colour in KIND_COLOURS],
    }
