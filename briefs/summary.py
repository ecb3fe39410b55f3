"""The monthly publication summary (issue 16 §6; seed 002 三(四)4 发布后跟踪
发布效果): for one month, releases per channel (records, views), per
department (items released, feedback), adoption recorded per level and
department, all read through publication's selectors (the records and
feedback of items the reader may see), the month's releases with their views per channel, and the
bulletin issues published. A fixed number of queries whatever the month holds.

``month_summary(user=…, month="YYYY-MM", times=True)`` answers a dict
(each release's "released_at" None when ``times`` is false: the page does
not show it, the workbook does):
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

from django.utils import timezone

from officers.roles import roles_of
from publication import month_reads
from publication.selectors import acting_ids

from .models import AdoptionLevel
from .permissions import can_compile

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


def month_summary(*, user, month: str, times: bool = True) -> dict:
    """See the module docstring. Raises nothing; an empty month gives zeros.

    Seven queries whatever the month holds (six without ``times``): the
    reader's delegations, the month's records the reader may see (each
    record's item tested on its own), the names of their items, the first
    release time of the releases listed, the feedback (the month's by department
    and all of the releases listed, one pass), the month's adoption records,
    the issues published; the per-channel, per-department and per-release
    figures are summed from the month's records here instead of one pass
    over them per figure. The reads are plain statements
    (publication.month_reads: the selectors' rules, records_visible_to,
    feedback_visible_to and adoptions_visible_to, without compiling their
    querysets on every request; issue 12)."""
    start, end = month_bounds(month)
    acting = acting_ids(user)
    records = month_reads.month_records(user, acting, start, end)
    # Item columns by primary key: joined in the query above, the few hundred
    # records of a month were hash-joined against a scan of every item.
    items = month_reads.item_names({r[1] for r in records})

    channels: dict = {}
    releases: dict = {}
    for release_id, item_id, channel_name, channel_kind, views in records:
        channel = channels.get((channel_name, channel_kind))
        if channel is None:
            channel = channels[channel_name, channel_kind] = {"name": channel_name, "kind": channel_kind,
                                                              "records": 0, "views": 0}
        channel["records"] += 1
        channel["views"] += views
        entry = releases.get(release_id)
        if entry is None:
            number, subject, unit = items[item_id]
            entry = releases[release_id] = {"number": number, "subject": subject, "unit": unit, "channels": {},
                                            "views": 0, "feedback": 0, "released_at": None}
        entry["channels"][channel_name] = views
        entry["views"] += views

    by_unit = defaultdict(lambda: {"released": 0, "feedback": 0, "department": 0, "organisation": 0,
                                   "publication": 0, "adopted": 0})
    for entry in releases.values():
        by_unit[entry["unit"]]["released"] += 1
    # The month's releases (of items the reader may see), most viewed first;
    # ties in the order of their ids, as before.
    listed = sorted(releases.items(), key=lambda r: (-r[1]["views"], r[1]["number"] or "", r[0]))[:TOP_RELEASES]
    listed_ids = {pk for pk, _e in listed}
    # The first release in the month of the releases listed only (the
    # workbook shows it): loading a timestamp for every record of the month
    # cost more than the rest of the loop.
    for release_id, first in (month_reads.first_released(listed_ids, start, end) if times else {}).items():
        releases[release_id]["released_at"] = first
    # One pass over the feedback: the month's by department, and every
    # feedback of the releases listed (whenever it was left).
    feedback_total = 0
    for release_id, unit, n_month, n in month_reads.feedback_counts(user, acting, start, end, listed_ids):
        if n_month:
            by_unit[unit]["feedback"] += n_month
            feedback_total += n_month
        if release_id in listed_ids:
            releases[release_id]["feedback"] = n
    adoption = {level: 0 for level in AdoptionLevel.values}
    # adoptions_visible_to: every record for the secretariat, none for others.
    for unit_name, level, n in month_reads.adoption_counts(start, end) if can_compile(user) else ():
        unit = by_unit[unit_name]
        unit[level] += n
        unit["adopted"] += n
        adoption[level] += n
    adoption["total"] = sum(adoption.values())
    departments = [{"unit": name, **values} for name, values in sorted(by_unit.items())]

    release_rows = [entry for _pk, entry in listed]

    issues = month_reads.published_issues(start, end)
    channel_rows = list(channels.values())
    return {
        "month": month, "previous": shift_month(month, -1), "next": shift_month(month, 1), "start": start,
        "end": end, "channels": channel_rows, "departments": departments,
        "adoption": adoption, "releases": release_rows, "issues": issues,
        "channel_names": [c["name"] for c in channel_rows],
        "totals": {"records": len(records), "views": sum(c["views"] for c in channel_rows),
                   "released": len(releases), "feedback": feedback_total},
    }


def has_rows(summary: dict) -> bool:
    return bool(summary["channels"] or summary["departments"] or summary["issues"])

