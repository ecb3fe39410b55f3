"""The monthly publication summary (issue 16 §6; seed 002 三(四)4 发布后跟踪
发布效果): for one month, releases per channel (records, views), per
department (items released, feedback), adoption recorded per level and
department, all read through publication's selectors (the records and
feedback of items the reader may see), the month's releases with their views per channel, and the
bulletin issues published. A fixed number of queries whatever the month holds.

``month_summary(user=…, month="YYYY-MM")`` answers a dict:
{"month", "previous", "next" (YYYY-MM), "start", "end", "channels": [{"name", "kind", "records", "views"}],
"departments": [{"unit", "released", "feedback", "department",
"organisation", "publication", "adopted"}], "adoption": {level: count,
"total": n}, "releases": [{"number", "subject", "unit", "released_at",
"channels": {name: views}, "views", "feedback"}], "issues": [BulletinIssue],
"totals": {"records", "views", "released", "feedback"}}.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from django.db.models import Count, Min, Sum
from django.utils import timezone

from officers.roles import roles_of
from publication.selectors import feedback_visible_to, records_visible_to

from .models import AdoptionLevel, BulletinIssue
from .permissions import can_compile
from .selectors import adoptions_visible_to

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
TOP_RELEASES = 50  # releases listed on the page, most viewed first


def can_see_summary(user) -> bool:
    """The secretariat, supervising leaders and the general manager (seed 002
    三(四)4: the centre tracks the effect and reports it)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    roles = roles_of(user)
    return can_compile(user) or roles.is_leader or roles.is_general_manager


def parse_month(value: str | None, today: dt.date | None = None) -> str:
    """``value`` if it is YYYY-MM, else the current month (local time)."""
    if value and MONTH.match(value.strip()):
        return value.strip()
    today = today or timezone.localdate()
    return "%04d-%02d" % (today.year, today.month)


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """[first day 00:00, next month's first day 00:00) in the local zone."""
    year, mon = int(month[:4]), int(month[5:7])
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, mon, 1, tzinfo=tz)
    end = dt.datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=tz)
    return start, end


def shift_month(month: str, by: int) -> str:
    """``month`` (YYYY-MM) moved by ``by`` months."""
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + by
    return "%04d-%02d" % (index // 12, index % 12 + 1)


def month_summary(*, user, month: str) -> dict:
    """See the module docstring. Raises nothing; an empty month gives zeros."""
    start, end = month_bounds(month)
    records = records_visible_to(user).filter(released_at__gte=start, released_at__lt=end)
    channels = [
        {"name": row["channel_name"], "kind": row["channel_kind"], "records": row["n"], "views": row["views"] or 0}
        for row in records.values("channel_name", "channel_kind").annotate(n=Count("pk"), views=Sum("views"))
        .order_by("channel_name")
    ]
    by_unit = defaultdict(lambda: {"released": 0, "feedback": 0, "department": 0, "organisation": 0,
                                   "publication": 0, "adopted": 0})
    for row in (records.values("release__item__unit__name")
                .annotate(n=Count("release", distinct=True)).order_by()):
        by_unit[row["release__item__unit__name"]]["released"] = row["n"]
    feedback = feedback_visible_to(user).filter(created_at__gte=start, created_at__lt=end)
    for row in feedback.values("release__item__unit__name").annotate(n=Count("pk")).order_by():
        by_unit[row["release__item__unit__name"]]["feedback"] = row["n"]
    adoption = {level: 0 for level in AdoptionLevel.values}
    for row in (adoptions_visible_to(user).filter(recorded_at__gte=start, recorded_at__lt=end)
                .values("item__unit__name", "level").annotate(n=Count("pk")).order_by()):
        unit = by_unit[row["item__unit__name"]]
        unit[row["level"]] += row["n"]
        unit["adopted"] += row["n"]
        adoption[row["level"]] += row["n"]
    adoption["total"] = sum(adoption.values())
    departments = [{"unit": name, **values} for name, values in sorted(by_unit.items())]

    # The month's releases (of items the reader may see), most viewed first.
    releases = {}
    rows = (records.values("release_id", "release__item__number", "release__item__subject", "release__item__unit__name",
                    "channel_name", "views")
            .order_by("release_id", "channel_name"))
    for row in rows:
        entry = releases.setdefault(row["release_id"], {
            "number": row["release__item__number"], "subject": row["release__item__subject"],
            "unit": row["release__item__unit__name"], "channels": {}, "views": 0, "feedback": 0})
        entry["channels"][row["channel_name"]] = row["views"]
        entry["views"] += row["views"]
    firsts = dict(records.filter(release_id__in=list(releases)).values("release_id")
                  .annotate(first=Min("released_at")).values_list("release_id", "first").order_by())
    for release_id, n in (feedback_visible_to(user).filter(release_id__in=list(releases)).values("release_id")
                          .annotate(n=Count("pk")).values_list("release_id", "n").order_by()):
        releases[release_id]["feedback"] = n
    for release_id, entry in releases.items():
        entry["released_at"] = firsts.get(release_id)
    release_rows = sorted(releases.values(), key=lambda r: (-r["views"], r["number"] or ""))[:TOP_RELEASES]

    issues = list(BulletinIssue.objects.filter(state=BulletinIssue.State.PUBLISHED, published_at__gte=start,
                                               published_at__lt=end)
                  .annotate(entry_count=Count("entries")).order_by("number"))
    return {
        "month": month, "previous": shift_month(month, -1), "next": shift_month(month, 1), "start": start, "end": end, "channels": channels, "departments": departments,
        "adoption": adoption, "releases": release_rows, "issues": issues,
        "channel_names": [c["name"] for c in channels],
        "totals": {"records": sum(c["records"] for c in channels), "views": sum(c["views"] for c in channels),
                   "released": records.values("release").distinct().count() if channels else 0,
                   "feedback": feedback.count()},
    }


def has_rows(summary: dict) -> bool:
    return bool(summary["channels"] or summary["departments"] or summary["issues"])

