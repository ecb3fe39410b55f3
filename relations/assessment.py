"""Visits as a criterion of the officers' yearly assessment (issue 19 §3:
"counted in the assessment's criteria when HR includes it"; seed 003 第九条
考核内容 网络建设; seed 001 信息沟通考核制度). HR includes it by adding a
criterion with code ``visits`` to the period (officers.assessment_scores.
COMPUTED explains why by code); its target is the points that earn the full
weight (4: a return visit each quarter, seed 001 《客户回访征询表》 每季度一次).

Points of an officer in the year:
* each visit they took part in (a visitor), visited in the year: 1 point;
* each follow-up action they owned, due in the year: 0.5 when done by its
  due time, 0 when done late or still open after it (listed so HR sees it).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from officers.assessment_scores import ComputedCriterion

from .models import FollowUpAction, Visit

VISIT_POINTS = Decimal(1)
ACTION_POINTS = Decimal("0.5")


def visit_records(user_ids: list, start: dt.datetime, end: dt.datetime) -> dict:
    """{user id: [{"date", "label", "detail", "points"}]} (two queries)."""
    rows = defaultdict(list)
    first, last = timezone.localtime(start).date(), timezone.localtime(end).date()
    through = Visit.visitors.through
    for link in (through.objects.filter(user_id__in=user_ids, visit__visited_on__gte=first,
                                        visit__visited_on__lt=last)
                 .select_related("visit__external_unit").order_by("visit__visited_on", "visit_id")):
        visit = link.visit
        rows[link.user_id].append({"date": visit.visited_on.isoformat(),
                                   "label": _("走访 %(unit)s") % {"unit": visit.external_unit.name},
                                   "detail": str(visit.get_method_display()), "points": str(VISIT_POINTS)})
    now = timezone.now()
    for action in (FollowUpAction.objects.filter(owner_id__in=user_ids, due_at__gte=start, due_at__lt=end)
                   .select_related("visit__external_unit").order_by("due_at", "pk")):
        if action.done_at is None and action.due_at > now:
            continue  # not due yet
        on_time = action.done_at is not None and action.done_at <= action.due_at
        detail = _("按时办结") if on_time else (_("逾期办结") if action.done_at else _("逾期未办结"))
        rows[action.owner_id].append({"date": timezone.localtime(action.due_at).date().isoformat(),
                                      "label": _("走访跟进：%(text)s") % {"text": action.text[:60]},
                                      "detail": str(detail), "points": str(ACTION_POINTS if on_time else 0)})
    for records in rows.values():
        records.sort(key=lambda r: r["date"])
    return rows


VISITS = ComputedCriterion(code="visits", label=gettext_lazy("走访与回访"), records=visit_records)
