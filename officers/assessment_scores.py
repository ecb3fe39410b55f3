"""The computed parts of the yearly assessment: each part from the year's
records, with the records behind it (issue 14 §6; seed 003 第六章: 信息报送数量
和质量、网络建设、业务培训、制度建设、上缴会费; domain: Assessment).

``compute_parts(period, criteria, officers)`` reads every source once for all
officers of the year (a fixed number of queries whatever their number) and
answers {user id: {criterion code: part}}, a part being
{"name", "source", "weight", "score", "raw", "note", "records": [{"date",
"label", "detail", "points"}]}; scores in points, one criterion's score in
[0, weight] (accountability: in [-weight, 0]).

The rules, criterion by criterion:

* items (信息报送与采用): items the officer initiated and submitted in the
  year. Their adoption level is not a field of the item; it is read from what
  the item went through (infoflow.models.Item):
  - 对外发布/报送 (publication, 3 points): released on a channel (release
    channels set) or sent outside (direction external), and transmitted;
  - 公司采用 (organisation, 2 points): passed a review stage above the
    department (supervising leader, general manager, secretariat), went to all
    staff, or was a report to the leadership, and was transmitted or approved;
  - 部门采用 (department, 1 point): approved or transmitted otherwise;
  - 未采用 (0 points): returned, withdrawn or still in review.
  The level the secretariat recorded for the item (briefs.Adoption: by hand,
  or 公司采用 when it went into a published information bulletin, issue 16
  §5) counts when it is higher than the derived one; it never lowers it.
  score = weight × min(1, points / target).
* datacalls (报送任务按时完成): the answers of the officer's unit whose
  occurrence fell due in the year while the officer held the post; on time =
  submitted (or accepted) and not late. score = weight × on time / due.
* reviews (审核环节及时性): review steps the officer decided in the year that
  had a limit; on time = decided by the step's due time.
* meetings (例会出勤): the officer's invitations to meetings held in the year;
  attended = present or by a delegate; leave does not count against; absent
  without leave does. score = weight × attended / (attended + absent).
* training (培训学时): hours of trainings attended in the year;
  score = weight × min(1, hours / target).
* accountability (责任追究扣分): points of the cases recorded against the
  officer for the year; score = −min(weight, points).
* manual (人工评分): the hand score HR entered, 0 until entered.
* computed by another app (``register_computed_criterion``; relations:
  visits, issue 19 §3): a criterion whose code an app registered is scored
  from that app's records, score = weight × min(1, points / target).

A ratio part with no records in the year (no data call fell due, no step, no
meeting) scores its full weight: nothing was missed; the note says so.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from briefs.models import Adoption
from datacalls.models import Answer
from infoflow.models import DeciderKind, Item, StepAssignee

from .assessment_models import Criterion
from .meeting_models import Invitation, Meeting, TrainingAttendance
from .models import Officer
from .work_models import AccountabilityCase

Source = Criterion.Source
TWO = Decimal("0.01")

ADOPTION_POINTS = {"publication": Decimal(3), "organisation": Decimal(2), "department": Decimal(1), "none": Decimal(0)}
ABOVE_DEPARTMENT = {DeciderKind.SUPERVISING_LEADER, DeciderKind.GENERAL_MANAGER, DeciderKind.SECRETARIAT_POOL,
                    DeciderKind.SECRETARIAT_LEAD, DeciderKind.ASSOCIATION_SECRETARIAT}
SENT = {Item.State.TRANSMITTED, Item.State.COMPLETED, Item.State.ARCHIVED}
PASSED = SENT | {Item.State.APPROVED}


def q2(value) -> Decimal:
    return Decimal(value).quantize(TWO, rounding=ROUND_HALF_UP)


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """[1 January 00:00, next 1 January 00:00) in the configured time zone."""
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def officer_posts(year: int):
    """Officer posts that overlap the year (any status), oldest first."""
    return (
        Officer.objects.filter(appointed_on__lte=dt.date(year, 12, 31))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=dt.date(year, 1, 1)))
        .select_related("user", "unit")
        .order_by("appointed_on", "pk")
    )


def adoption_level(item: Item, deciders: set, recorded: str | None = None) -> str:
    """The adoption level an item reached (see the module docstring):
    the higher of what its route shows and ``recorded`` (briefs.Adoption)."""
    derived = _derived_level(item, deciders)
    if recorded in ADOPTION_POINTS and ADOPTION_POINTS[recorded] > ADOPTION_POINTS[derived]:
        return recorded
    return derived


def _derived_level(item: Item, deciders: set) -> str:
    if item.state in SENT and (item.release_channels or item.direction == "external"):
        return "publication"
    if item.state in PASSED and (deciders & ABOVE_DEPARTMENT or item.to_all_staff or item.kind == "report"):
        return "organisation"
    if item.state in PASSED:
        return "department"
    return "none"


def level_label(level: str) -> str:
    return {"publication": _("对外发布/报送"), "organisation": _("公司采用"), "department": _("部门采用"),
            "none": _("未采用")}[level]


def _day(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""


def _ratio(weight: Decimal, good: int, total: int) -> Decimal:
    if total == 0:
        return weight
    return q2(weight * good / total)


def _capped(weight: Decimal, raw: Decimal, target) -> Decimal:
    target = Decimal(target or 0)
    if target <= 0:
        return weight if raw > 0 else Decimal(0)
    return q2(weight * min(Decimal(1), raw / target))


def _items(user_ids, start, end):
    rows = defaultdict(list)
    items = (
        Item.objects.filter(initiator_id__in=user_ids, submitted_at__gte=start, submitted_at__lt=end)
        .exclude(state__in=[Item.State.DRAFT, Item.State.CANCELLED])
        .only("pk", "number", "state", "direction", "kind", "release_channels", "to_all_staff",
              "submitted_at", "initiator_id")
        .order_by("submitted_at", "pk")
    )
    items = list(items)
    deciders = defaultdict(set)
    for item_id, decider in StepAssignee.objects.filter(
        step__item_id__in=[i.pk for i in items], decision=StepAssignee.Decision.APPROVED
    ).values_list("step__item_id", "step__decider"):
        deciders[item_id].add(decider)
    recorded = dict(Adoption.objects.filter(item_id__in=[i.pk for i in items]).values_list("item_id", "level"))
    for item in items:
        level = adoption_level(item, deciders[item.pk], recorded.get(item.pk))
        # The item by its number only: the breakdown is read by HR, supervision
        # and leaders, who need not be on the item's path (items_visible_to).
        label = item.number or "—"
        rows[item.initiator_id].append({"date": _day(item.submitted_at), "label": label,
                                        "detail": str(level_label(level)), "points": str(ADOPTION_POINTS[level])})
    return rows


def _tenures(posts):
    """{user id: [(unit id, first day, last day)]}."""
    out = defaultdict(list)
    for post in posts:
        out[post.user_id].append((post.unit_id, post.appointed_on, post.ended_on or dt.date.max))
    return out


def _datacalls(tenures, start, end, now):
    rows = defaultdict(list)
    unit_ids = {unit for spans in tenures.values() for unit, _a, _b in spans}
    answers = (
        Answer.objects.filter(unit_id__in=unit_ids, occurrence__due_at__gte=start, occurrence__due_at__lt=end)
        .select_related("occurrence__call")
        .order_by("occurrence__due_at", "pk")
    )
    for answer in answers:
        due = answer.occurrence.due_at
        if answer.state in Answer.OPEN_STATES and due > now:
            continue  # not due yet
        if answer.is_in and not answer.late:
            outcome, good = _("按时报送"), True
        elif answer.is_in:
            outcome, good = _("逾期报送"), False
        else:
            outcome, good = _("未报送"), False
        day = timezone.localtime(due).date()
        for user_id, spans in tenures.items():
            if any(unit == answer.unit_id and first <= day <= last for unit, first, last in spans):
                rows[user_id].append({"date": day.isoformat(), "label": "%s（%s）" % (
                    answer.occurrence.call.title, answer.occurrence.period), "detail": str(outcome),
                    "good": good})
    return rows


def _reviews(user_ids, start, end):
    rows = defaultdict(list)
    assignees = (
        StepAssignee.objects.filter(decided_by_id__in=user_ids, decided_at__gte=start, decided_at__lt=end,
                                    step__due_at__isnull=False)
        .select_related("step__item")
        .only("decided_by_id", "decided_at", "step__due_at", "step__name", "step__item__number")
        .order_by("decided_at", "pk")
    )
    for a in assignees:
        good = a.decided_at <= a.step.due_at
        rows[a.decided_by_id].append({"date": _day(a.decided_at), "label": "%s · %s" % (
            a.step.item.number or "", a.step.name), "detail": str(_("按时") if good else _("超时")), "good": good})
    return rows


def _meetings(user_ids, start, end):
    rows = defaultdict(list)
    held = [Meeting.State.HELD, Meeting.State.MINUTED]
    invitations = (
        Invitation.objects.filter(user_id__in=user_ids, meeting__starts_at__gte=start, meeting__starts_at__lt=end,
                                  meeting__state__in=held)
        .select_related("meeting").order_by("meeting__starts_at", "pk")
    )
    A = Invitation.Attendance
    for inv in invitations:
        if inv.attendance == A.UNKNOWN:
            continue
        good = {A.PRESENT: True, A.DELEGATE: True, A.EXCUSED: None, A.ABSENT: False}[inv.attendance]
        rows[inv.user_id].append({"date": _day(inv.meeting.starts_at), "label": inv.meeting.title,
                                  "detail": str(inv.get_attendance_display()), "good": good})
    return rows


def _training(user_ids, start, end):
    rows = defaultdict(list)
    for att in (
        TrainingAttendance.objects.filter(user_id__in=user_ids, present=True, training__starts_at__gte=start,
                                          training__starts_at__lt=end)
        .select_related("training").order_by("training__starts_at", "pk")
    ):
        rows[att.user_id].append({"date": _day(att.training.starts_at), "label": att.training.title,
                                  "detail": _("%(hours)s 学时") % {"hours": att.hours}, "points": str(att.hours)})
    return rows


def _cases(user_ids, year):
    rows = defaultdict(list)
    for case in (
        AccountabilityCase.objects.filter(officer__user_id__in=user_ids, occurred_on__year=year)
        .select_related("officer").order_by("occurred_on", "pk")
    ):
        rows[case.officer.user_id].append({
            "date": case.occurred_on.isoformat(), "label": str(case.get_kind_display()),
            "detail": "%s%s" % (case.get_sanction_display(), (" · " + case.subject_label) if case.subject_label else ""),
            "points": str(-case.points)})
    return rows


@dataclass(frozen=True)
class ComputedCriterion:
    """A criterion another app computes from its records: ``records(user_ids,
    start, end)`` answers {user id: [{"date", "label", "detail", "points"}]}
    for the year [start, end)."""

    code: str
    label: str
    records: Callable[[list, dt.datetime, dt.datetime], dict]


# Criterion.source is a fixed list of choices (a new one would be an officers
# migration per app), so an app's criterion is stored with source 人工评分 and
# recognised by its code; HR includes it in a period by adding a criterion
# with that code. Filled from the apps' AppConfig.ready().
COMPUTED: dict[str, ComputedCriterion] = {}


def register_computed_criterion(criterion: ComputedCriterion) -> ComputedCriterion:
    COMPUTED[criterion.code] = criterion
    return criterion


def computed_criterion(code: str) -> ComputedCriterion | None:
    return COMPUTED.get(code)


def compute_parts(*, period, criteria, user_ids, tenures, hand_scores, now=None) -> dict:
    """{user id: {criterion code: part}} for ``user_ids`` (see the module
    docstring); ``hand_scores``: {(user id, criterion id): HandScore}."""
    now = now or timezone.now()
    start, end = year_bounds(period.year)
    sources = {c.source for c in criteria}
    data = {
        Source.ITEMS: _items(user_ids, start, end) if Source.ITEMS in sources else {},
        Source.DATACALLS: _datacalls(tenures, start, end, now) if Source.DATACALLS in sources else {},
        Source.REVIEWS: _reviews(user_ids, start, end) if Source.REVIEWS in sources else {},
        Source.MEETINGS: _meetings(user_ids, start, end) if Source.MEETINGS in sources else {},
        Source.TRAINING: _training(user_ids, start, end) if Source.TRAINING in sources else {},
        Source.ACCOUNTABILITY: _cases(user_ids, period.year) if Source.ACCOUNTABILITY in sources else {},
    }
    computed = {c.code: COMPUTED[c.code].records(user_ids, start, end) for c in criteria if c.code in COMPUTED}
    out = {}
    for user_id in user_ids:
        parts = {}
        for c in criteria:
            weight = Decimal(c.weight)
            part = {"name": c.name, "source": c.source, "weight": str(weight), "note": "", "records": []}
            if c.code in computed:
                records = list(computed[c.code].get(user_id, []))
                part["records"] = records
                raw = sum((Decimal(r["points"]) for r in records), Decimal(0))
                score = _capped(weight, raw, c.target)
                part["note"] = str(_("%(label)s，满分标准 %(target)s") % {"label": COMPUTED[c.code].label,
                                                                        "target": c.target or 0})
            elif c.source == Source.MANUAL:
                hand = hand_scores.get((user_id, c.pk))
                score = Decimal(hand.score) if hand else Decimal(0)
                raw = score
                if hand:
                    part["records"] = [{"date": _day(hand.scored_at), "label": hand.comment,
                                        "detail": hand.scored_by.get_full_name() or hand.scored_by.username,
                                        "points": str(hand.score)}]
                else:
                    part["note"] = str(_("尚未评分"))
            else:
                records = list(data[c.source].get(user_id, []))
                part["records"] = records
                if c.source in (Source.ITEMS, Source.TRAINING):
                    raw = sum((Decimal(r["points"]) for r in records), Decimal(0))
                    score = _capped(weight, raw, c.target)
                    part["note"] = str(_("满分标准 %(target)s") % {"target": c.target or 0})
                elif c.source == Source.ACCOUNTABILITY:
                    raw = -sum((Decimal(r["points"]) for r in records), Decimal(0))
                    score = -min(weight, raw)
                else:
                    good = sum(1 for r in records if r["good"] is True)
                    counted = sum(1 for r in records if r["good"] is not None)
                    raw = Decimal(good)
                    score = _ratio(weight, good, counted)
                    part["note"] = (str(_("本年度无记录，按满分计")) if counted == 0 else
                                    str(_("%(good)s / %(total)s") % {"good": good, "total": counted}))
                    for r in records:
                        r.pop("good", None)
            part["raw"] = str(q2(raw))
            part["score"] = str(q2(score))
            parts[c.code] = part
        out[user_id] = parts
    return out


def parts_total(parts: dict) -> Decimal:
    return q2(sum((Decimal(p["score"]) for p in parts.values()), Decimal(0)))
