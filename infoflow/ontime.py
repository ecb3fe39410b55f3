"""The on-time view (按时率): what is overdue now, and each department's
on-time rate for reviews and for feedback over a chosen period.

Reviews count per originating department: every review step that closed in
the period (on time when ``closed_at <= due_at``) plus every step still open
whose due time fell in the period and has passed (late by definition).
Feedback counts per receiving department (internal unit receivers): every
answer given in the period (on time when ``answered_at <= answer_due_at``)
plus every answer still missing whose due time fell in the period and has
passed.

Queries: two grouped aggregates (reviews, feedback) and two bounded lists
(overdue steps, overdue receivers), whatever the number of departments or
rows. Who sees it: the secretariat, supervision and the general manager
(every department), supervising leaders (the departments they supervise).

The overdue lists name items (number, subject, link), so they hold only
items the user may open (``items_visible_to``): a leader is not shown a
restricted item off their path, nor an item whose link would answer 404.
The rates are counts per department with no item named; they count every
step and answer, so a department's rate is the same for everyone who reads
it (the on-time Excel holds the rates only).
"""
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils import timezone

from officers.roles import roles_of

from .models import Item, Receiver, ReviewStep
from .visibility import items_visible_to

OVERDUE_LIMIT = 200  # rows per overdue list on the page


def can_view_ontime(user) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    roles = roles_of(user)
    return roles.is_secretariat or roles.is_supervision or roles.is_general_manager or roles.is_leader


def unit_scope(user):
    """None for every department, else the set of unit ids the user may see."""
    roles = roles_of(user)
    if roles.is_secretariat or roles.is_supervision or roles.is_general_manager or user.is_superuser:
        return None
    return set(roles.supervised_unit_ids)


@dataclass
class UnitRate:
    unit_id: int
    name: str
    review_total: int = 0
    review_on_time: int = 0
    feedback_total: int = 0
    feedback_on_time: int = 0

    @staticmethod
    def _rate(on_time, total):
        return None if not total else round(100.0 * on_time / total, 1)

    @property
    def review_rate(self):
        return self._rate(self.review_on_time, self.review_total)

    @property
    def feedback_rate(self):
        return self._rate(self.feedback_on_time, self.feedback_total)


@dataclass
class OnTimeReport:
    start: dt.datetime
    end: dt.datetime
    units: list = field(default_factory=list)
    overdue_steps: list = field(default_factory=list)
    overdue_receivers: list = field(default_factory=list)

    @property
    def review_total(self):
        return sum(u.review_total for u in self.units)

    @property
    def review_on_time(self):
        return sum(u.review_on_time for u in self.units)

    @property
    def feedback_on_time(self):
        return sum(u.feedback_on_time for u in self.units)

    @property
    def review_rate(self):
        return UnitRate._rate(self.review_on_time, self.review_total)

    @property
    def feedback_total(self):
        return sum(u.feedback_total for u in self.units)

    @property
    def feedback_rate(self):
        return UnitRate._rate(self.feedback_on_time, self.feedback_total)


def review_rates(start, end, now, units=None):
    """[{unit id, name, total, on_time}] for review steps in [start, end)."""
    closed_in = Q(
        state__in=(ReviewStep.State.APPROVED, ReviewStep.State.RETURNED),
        closed_at__gte=start,
        closed_at__lt=end,
    )
    late_open = Q(state=ReviewStep.State.OPEN, due_at__gte=start, due_at__lt=min(end, now))
    qs = ReviewStep.objects.filter(due_at__isnull=False).filter(closed_in | late_open)
    if units is not None:
        qs = qs.filter(item__unit_id__in=units)
    return (
        qs.order_by()
        .values(dept=F("item__unit_id"), unit_name=F("item__unit__name"))
        .annotate(total=Count("pk"), on_time=Count("pk", filter=closed_in & Q(closed_at__lte=F("due_at"))))
    )


def feedback_rates(start, end, now, units=None):
    """[{unit id, name, total, on_time}] for internal unit receivers' answers in [start, end)."""
    answered_in = Q(state=Receiver.State.ANSWERED, answered_at__gte=start, answered_at__lt=end)
    late_open = Q(
        state__in=(Receiver.State.SENT, Receiver.State.ACKNOWLEDGED),
        answer_due_at__gte=start,
        answer_due_at__lt=min(end, now),
    )
    qs = Receiver.objects.filter(kind=Receiver.Kind.UNIT, answer_due_at__isnull=False).filter(answered_in | late_open)
    if units is not None:
        qs = qs.filter(unit_id__in=units)
    return (
        qs.order_by()
        .values(dept=F("unit_id"), unit_name=F("unit__name"))
        .annotate(total=Count("pk"), on_time=Count("pk", filter=answered_in & Q(answered_at__lte=F("answer_due_at"))))
    )


def overdue_steps(now, units=None, user=None):
    """Open steps past due, of items ``user`` may open (``items_visible_to``:
    a row whose link would answer 404 is not listed)."""
    qs = ReviewStep.objects.filter(state=ReviewStep.State.OPEN, due_at__lt=now)
    if user is not None:
        qs = qs.filter(item__in=items_visible_to(user).values("pk"))
    if units is not None:
        qs = qs.filter(item__unit_id__in=units)
    return list(
        qs.select_related("item", "item__unit")
        .only("pk", "name", "due_at", "started_at", "item__id", "item__number", "item__subject",
              "item__confidentiality", "item__unit__name")
        .order_by("due_at", "pk")[:OVERDUE_LIMIT]
    )


RECEIPT, ANSWER = "签收", "反馈"


@dataclass(frozen=True)
class OverdueDuty:
    """One deadline a receiver has missed: what it was for and when it was due."""

    what: str  # "签收" or "反馈"; the template translates it
    due_at: dt.datetime


def overdue_duties(receiver, now):
    """The deadlines ``receiver`` has missed, earliest first: the receipt
    (签收) while it is unacknowledged, the answer (反馈) while unanswered.
    A receipt overdue with the answer still ahead shows the receipt's
    deadline, never the future answer deadline as if it were late."""
    duties = []
    if receiver.state == Receiver.State.SENT and receiver.response_due_at and receiver.response_due_at < now:
        duties.append(OverdueDuty(RECEIPT, receiver.response_due_at))
    if receiver.answer_due_at and receiver.answer_due_at < now:
        duties.append(OverdueDuty(ANSWER, receiver.answer_due_at))
    return duties


def overdue_receivers(now, units=None, user=None):
    """Receivers past their limits, of items ``user`` may open."""
    overdue = Q(answer_due_at__lt=now) | Q(state=Receiver.State.SENT, response_due_at__lt=now)
    # Only an item still out with its receivers owes them: a cancelled or
    # completed one (a notice completed by hand) has nothing overdue.
    qs = Receiver.objects.filter(state__in=(Receiver.State.SENT, Receiver.State.ACKNOWLEDGED),
                                 item__state=Item.State.TRANSMITTED).filter(overdue)
    if user is not None:
        qs = qs.filter(item__in=items_visible_to(user).values("pk"))
    if units is not None:
        qs = qs.filter(Q(unit_id__in=units) | Q(item__unit_id__in=units))
    rows = list(
        qs.select_related("item", "item__unit", "unit", "user", "external_unit", "contact")
        .order_by("answer_due_at", "pk")[:OVERDUE_LIMIT]
    )
    for row in rows:
        row.overdue = overdue_duties(row, now)
    # The list reads by the deadline that was missed first.
    rows.sort(key=lambda row: (row.overdue[0].due_at if row.overdue else now, row.pk))
    return rows


def ontime_report(user, start, end, now=None) -> OnTimeReport:
    """The page's data for ``user`` over [start, end) (aware datetimes)."""
    now = now or timezone.now()
    units = unit_scope(user)
    by_unit: dict[int, UnitRate] = {}
    for row in review_rates(start, end, now, units):
        rate = by_unit.setdefault(row["dept"], UnitRate(row["dept"], row["unit_name"]))
        rate.review_total, rate.review_on_time = row["total"], row["on_time"]
    for row in feedback_rates(start, end, now, units):
        rate = by_unit.setdefault(row["dept"], UnitRate(row["dept"], row["unit_name"]))
        rate.feedback_total, rate.feedback_on_time = row["total"], row["on_time"]
    return OnTimeReport(
        start=start,
        end=end,
        units=sorted(by_unit.values(), key=lambda u: u.name),
        overdue_steps=overdue_steps(now, units, user),
        overdue_receivers=overdue_receivers(now, units, user),
    )
