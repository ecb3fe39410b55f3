"""The on-time view (按时率): what is overdue now, and each department's
on-time rate for reviews and for feedback over a chosen period.

Reviews count per originating department: every review step that closed in
the period (on time when ``closed_at <= due_at``) plus every step still open
whose due time fell in the period and has passed (late by definition).
Feedback counts per receiving department (internal unit receivers): every
answer given in the period (on time when ``answered_at <= answer_due_at``)
plus every answer still missing whose due time fell in the period and has
passed.

Queries: two grouped aggregates (reviews, feedback; over whole local days
each adds the day totals the services keep, ``OnTimeDay``, to the late open
rows, so the page reads neither every step nor every answer of the period) and the two overdue
lists, each paged (``PAGE_SIZE`` rows: the list's count and the page's ids,
then those rows with their joins), whatever the number of departments or
rows: six (the principals the user stands in for, ``copies_condition``; over
whole days both rates and the steps' count in one statement,
``review_rates_with_overdue``; the steps' ids and rows; the receivers' ids
with their count, and rows; seven over a period not of whole days). Each list's count is its whole length, so the
page's figures stay true however many pages it has; over whole days both
lengths ride on the rates' statement, added up from the overdue day totals
the triggers keep (``OverdueDay``, ``overdue_counts_sql``) instead of
counting every overdue row (issue 12). Who sees it: the secretariat, supervision and the general manager
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

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Case, CharField, Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.utils import timezone

from officers.roles import roles_of

from . import compiled, compiled_sql
from .models import Item, ItemUserObjectPermission, OnTimeDay, OverdueDay, Receiver, ReviewStep
from .selectors import _acting_user_ids, _view_granted, _view_permission_id
from .visibility import _parts, visibility_q

PAGE_SIZE = 20  # rows per page of each overdue list


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
    overdue_steps: list = field(default_factory=list)  # the page shown of each list
    overdue_receivers: list = field(default_factory=list)
    steps_page: object = None  # django.core.paginator.Page, its paginator's count the whole list's
    receivers_page: object = None

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


def whole_days(start, end):
    """(first day, day after the last) when [start, end) runs from a local
    midnight to a local midnight (settings.TIME_ZONE), as the page's periods
    do; else None (the rates then count the steps and receivers themselves)."""
    tz = timezone.get_default_timezone()
    first, after = timezone.localtime(start, tz), timezone.localtime(end, tz)
    if first.time() == dt.time.min and after.time() == dt.time.min:
        return first.date(), after.date()
    return None


def _day_totals(kind, days, units):
    """The day totals (OnTimeDay) of ``kind`` over ``days``, per department."""
    qs = OnTimeDay.objects.filter(kind=kind, day__gte=days[0], day__lt=days[1])
    if units is not None:
        qs = qs.filter(unit_id__in=units)
    return (qs.order_by().values(dept=F("unit_id"), unit_name=F("unit__name"))
            .annotate(total=Sum("done"), on_time=Sum("done_on_time")))


def review_rates(start, end, now, units=None):
    """[{dept, unit_name, total, on_time}] for review steps in [start, end),
    one query; a department may come in two rows (to be added up). Over
    whole local days the closed steps come from the day totals
    (``OnTimeDay``, kept by the services), the late open ones from the open
    steps (index on state and due time): the page no longer reads every step
    of the period (issue 12)."""
    closed_in = Q(
        state__in=(ReviewStep.State.APPROVED, ReviewStep.State.RETURNED),
        closed_at__gte=start,
        closed_at__lt=end,
    )
    late_open = Q(state=ReviewStep.State.OPEN, due_at__gte=start, due_at__lt=min(end, now))
    days = whole_days(start, end)
    qs = ReviewStep.objects.filter(due_at__isnull=False).filter(late_open if days else closed_in | late_open)
    if units is not None:
        qs = qs.filter(item__unit_id__in=units)
    qs = qs.order_by().values(dept=F("item__unit_id"), unit_name=F("item__unit__name"))
    if days:
        late = qs.annotate(total=Count("pk"), on_time=Value(0, output_field=IntegerField()))
        return _day_totals(OnTimeDay.Kind.REVIEW, days, units).union(late, all=True)
    return qs.annotate(total=Count("pk"), on_time=Count("pk", filter=closed_in & Q(closed_at__lte=F("due_at"))))


def feedback_rates(start, end, now, units=None):
    """[{dept, unit_name, total, on_time}] for internal unit receivers'
    answers in [start, end), one query, as ``review_rates`` (answers over
    whole days from the day totals, missing answers from the receivers)."""
    answered_in = Q(state=Receiver.State.ANSWERED, answered_at__gte=start, answered_at__lt=end)
    late_open = Q(
        state__in=(Receiver.State.SENT, Receiver.State.ACKNOWLEDGED),
        answer_due_at__gte=start,
        answer_due_at__lt=min(end, now),
    )
    days = whole_days(start, end)
    qs = (Receiver.objects.filter(kind=Receiver.Kind.UNIT, answer_due_at__isnull=False)
          .filter(late_open if days else answered_in | late_open))
    if units is not None:
        qs = qs.filter(unit_id__in=units)
    qs = qs.order_by().values(dept=F("unit_id"), unit_name=F("unit__name"))
    if days:
        late = qs.annotate(total=Count("pk"), on_time=Value(0, output_field=IntegerField()))
        return _day_totals(OnTimeDay.Kind.FEEDBACK, days, units).union(late, all=True)
    return qs.annotate(total=Count("pk"),
                       on_time=Count("pk", filter=answered_in & Q(answered_at__lte=F("answer_due_at"))))


_FROM_USER = object()  # a condition not given: the functions below state it from ``user``


def copies_condition(user) -> Q | None:
    """The condition ``items_visible_to(user)`` states, on a review step's or
    receiver's copies of its item's columns (``ItemCopies``), with rules 1
    and 6 (grants, the principals' grants during a delegation) as one probe
    of the grant index per row that the column rules let through
    (``visibility_q``'s ``granted_to``; one small query for the principals).
    None: nothing. The uncorrelated sets of granted ids were two subplans,
    each joined to the permission and content type tables, in each of the
    page's four statements: planning the receivers' statement took 3–18 ms
    (a leader's 7,450 grants), most of it for those subplans (issue 12)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return visibility_q(user, copies=True, granted_to=_acting_user_ids(user))


def _condition(user, condition):
    return copies_condition(user) if condition is _FROM_USER else condition


def review_rates_with_overdue(start, end, now, days, units=None, user=None, condition=_FROM_USER, feedback=False,
                              until=None, overdue_part=True):
    """``review_rates`` over whole local ``days`` and the length of the
    overdue steps' list (``overdue_steps``) in one query: rows
    {part, dept, unit_name, total, on_time, overdue}, part 0 the day totals,
    part 1 the open steps that fell due in the period and have passed,
    grouped by department (the rate's late ones, ``total``), part 4 one row
    (``dept`` None): how many open steps past due ``user`` may open
    (``overdue``; the other parts' ``overdue`` is 0). Both read the open
    steps with the step's copies of its item (``ItemCopies``), index-only,
    not joined to the item table (issue 12).

    ``condition``: ``copies_condition(user)`` when the caller has it.
    ``feedback``: ``feedback_rates`` in the same statement, as parts 2 (the
    day totals) and 3 (the missing answers), ``overdue`` 0 (one round trip
    fewer; issue 12). ``until``: ``min(end, now)``, the end of the late
    ones' window (given apart when compiled with stand-in moments).
    ``overdue_part``: False leaves part 4 out (the page counts both lists
    from the overdue day totals instead, ``overdue_counts_sql``)."""
    visible = _condition(user, condition) if user is not None else Q()
    until = min(end, now) if until is None else until
    open_steps = ReviewStep.objects.filter(state=ReviewStep.State.OPEN)
    if units is not None:
        open_steps = open_steps.filter(item_unit_id__in=units)
    columns = ("part", "dept", "unit_name", "total", "on_time", "overdue")
    zero = Value(0, output_field=IntegerField())
    # The item's unit and visibility from the step's own copies (ItemCopies):
    # index-only scans of reviewstep_open_due, no join to the items (issue 12).
    # The rate's late steps are those due in the period, grouped by
    # department (a range of the index); the list's length is one ungrouped
    # COUNT over every step past due (part 4, dept NULL). Grouping all
    # 20,000 steps past due by department to count both sorted them all for
    # each page (~25 ms at 100,000 items; issue 12).
    late = open_steps.filter(due_at__gte=start, due_at__lt=until)
    late = late.order_by().values(dept=F("item_unit_id"), unit_name=F("item_unit__name")).annotate(
        part=Value(1, output_field=IntegerField()), total=Count("pk"), on_time=zero, overdue=zero,
    ).values(*columns)
    overdue = open_steps.filter(due_at__lt=now)
    overdue = overdue.none() if visible is None else overdue.filter(visible) if visible else overdue
    count = overdue.order_by().annotate(
        part=Value(4, output_field=IntegerField()), dept=Value(None, output_field=IntegerField()),
        unit_name=Value(None, output_field=CharField()), total=zero, on_time=zero,
    ).values(*columns[:-1]).annotate(overdue=Count("pk")).values(*columns)
    totals = _day_totals(OnTimeDay.Kind.REVIEW, days, units).annotate(
        part=Value(0, output_field=IntegerField()), overdue=zero,
    ).values(*columns)
    parts = (late, count) if overdue_part else (late,)
    if not feedback:
        return totals.union(*parts, all=True)
    answers = _day_totals(OnTimeDay.Kind.FEEDBACK, days, units).annotate(
        part=Value(2, output_field=IntegerField()), overdue=zero,
    ).values(*columns)
    missing = (Receiver.objects.filter(kind=Receiver.Kind.UNIT, state__in=(Receiver.State.SENT,
                                                                          Receiver.State.ACKNOWLEDGED),
                                       answer_due_at__gte=start, answer_due_at__lt=until))
    if units is not None:
        missing = missing.filter(unit_id__in=units)
    missing = missing.order_by().values(dept=F("unit_id"), unit_name=F("unit__name")).annotate(
        part=Value(3, output_field=IntegerField()), total=Count("pk"), on_time=zero, overdue=zero,
    ).values(*columns)
    return totals.union(*parts, answers, missing, all=True)


def _visible(qs, user, condition=_FROM_USER):
    """``qs`` (review steps or receivers) narrowed to rows whose item ``user``
    may open: the visibility rule on each row's copies of its item's columns
    (``ItemCopies``, ``copies_condition``), neither "item in the set of every
    visible item", which made PostgreSQL build that whole set, nor a join to
    the item table, which it hash-joined with every item (issue 12)."""
    if user is None:
        return qs
    condition = _condition(user, condition)
    return qs.none() if condition is None else qs.filter(condition)


def overdue_steps(now, units=None, user=None, condition=_FROM_USER):
    """Open steps past due, of items ``user`` may open (``items_visible_to``:
    a row whose link would answer 404 is not listed); the earliest due first
    (reviewstep_open_due gives them in order)."""
    qs = _visible(ReviewStep.objects.filter(state=ReviewStep.State.OPEN, due_at__lt=now), user, condition)
    if units is not None:
        qs = qs.filter(item_unit_id__in=units)
    return qs.order_by("due_at", "pk")


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
    """Receivers past their limits, of items ``user`` may open, by the
    deadline that was missed first (the receipt's while it is late and
    unacknowledged, else the answer's: ``overdue_duties``' first)."""
    late_receipts, the_rest = overdue_receiver_parts(now, units, user)
    return (Receiver.objects.filter(Q(pk__in=late_receipts.values("pk")) | Q(pk__in=the_rest.values("pk")))
            .annotate(first_missed_at=Case(
                When(state=Receiver.State.SENT, response_due_at__lt=now, then=F("response_due_at")),
                default=F("answer_due_at")))
            .order_by("first_missed_at", "pk"))


def overdue_receiver_parts(now, units=None, user=None, condition=_FROM_USER):
    """The overdue receivers (``overdue_receivers``) as two disjoint querysets,
    each with its ``first_missed_at`` and in that order from its own index:
    the receipts late and unacknowledged (by their receipt limit,
    receiver_receipt_overdue) and the rest, answers late (by their answer
    limit, receiver_answer_overdue). Sorting the whole list by the deadline
    missed first read and sorted every overdue receiver joined to its item
    for each page (issue 12); merged, the two give a page's rows in order."""
    # Only an item still out with its receivers owes them: a cancelled or
    # completed one (a notice completed by hand) has nothing overdue.
    out = Receiver.objects.filter(item_state=Item.State.TRANSMITTED)
    out = _visible(out, user, condition)
    if units is not None:
        out = out.filter(Q(unit_id__in=units) | Q(item_unit_id__in=units))
    late_receipts = out.filter(state=Receiver.State.SENT, response_due_at__lt=now).annotate(
        first_missed_at=F("response_due_at"))
    the_rest = out.filter(state__in=(Receiver.State.SENT, Receiver.State.ACKNOWLEDGED), answer_due_at__lt=now).filter(
        Q(state=Receiver.State.ACKNOWLEDGED) | Q(response_due_at__isnull=True) | Q(response_due_at__gte=now)
    ).annotate(first_missed_at=F("answer_due_at"))
    return late_receipts.order_by(), the_rest.order_by()


def _receivers_due_before(moment) -> Q:
    """Overdue-list receivers (sent or acknowledged, of a transmitted item)
    whose first deadline (``overdue_days.deadline_sql``: the earlier of the
    receipt's and the answer's limits while sent, the answer's once
    acknowledged) is before ``moment``: ``overdue_receiver_parts``' two
    parts together, as one condition (for the rows of one item)."""
    sent, acknowledged = Receiver.State.SENT, Receiver.State.ACKNOWLEDGED
    return Q(item_state=Item.State.TRANSMITTED) & (
        Q(state=sent, response_due_at__lt=moment) | Q(state__in=(sent, acknowledged), answer_due_at__lt=moment))


def overdue_counts_sql(now, day_start, today, units=None, user=None, condition=_FROM_USER, acting=None):
    """(sql, params) of one row (steps, receivers): the lengths of the overdue steps' list
    (``overdue_steps``) and of the overdue receivers' (``overdue_receiver_parts``
    together) for ``user``, without reading every overdue row (issue 12:
    20,000 steps and 19,400 receivers at 100,000 items, ten times that at
    1,000,000). ``day_start`` is the local midnight (settings.TIME_ZONE)
    starting ``today``, at or before ``now``. Each list's length is the sum of

    - the day totals (``OverdueDay``, kept by triggers) of the days before
      ``today`` whose keys pass the visibility rule's column tests (rules
      2–5 on the row's copies of its item's columns);
    - the rows whose deadline is in [``day_start``, ``now``) that ``user``
      may open (one day's deadlines, a range of the list's index);
    - the rows due before ``day_start`` that the column tests leave out and a
      view grant of ``user``'s (or a principal's: ``acting``) lets through,
      read from the grants or from the rows in scope, whichever the day
      totals and the grants' count say is fewer (see below).

    ``user`` None: every row (no visibility). The SQL's only moments are
    ``now``, ``day_start`` and ``today`` (``compiled_sql``)."""
    if user is not None:
        condition = _condition(user, condition)
    parts = None if user is None else _parts(user, copies=True, grants=False)
    if (user is not None and (condition is None or parts is None)) or (units is not None and not units):
        return "SELECT 0 AS steps, 0 AS receivers", []
    columns = Q()
    if parts is not None:
        columns = Q(pk__in=[])  # an OR of nothing: no key
        for rule in parts[0]:
            columns |= rule
    if user is not None and acting is None:
        acting = _acting_user_ids(user)

    def totals(kind, scope):
        qs = OverdueDay.objects.filter(kind=kind, day__lt=today).filter(columns)
        if scope is not None:
            qs = qs.filter(scope)
        return qs.order_by().values("kind").annotate(total=Sum("n")).values("total")

    step_scope = None if units is None else Q(item_unit_id__in=sorted(units))
    receiver_scope = None if units is None else Q(unit_id__in=sorted(units)) | Q(item_unit_id__in=sorted(units))
    open_steps = ReviewStep.objects.filter(state=ReviewStep.State.OPEN)
    receivers = Receiver.objects.all()
    if step_scope is not None:
        open_steps, receivers = open_steps.filter(step_scope), receivers.filter(receiver_scope)
    # Today's: the lists' own parts (``overdue_receiver_parts``), each the range of its index since
    # ``day_start`` (a receipt late today whose answer fell due before today was due before today).
    late_receipts, the_rest = overdue_receiver_parts(now, units)
    todays = [open_steps.filter(due_at__gte=day_start, due_at__lt=now),
              late_receipts.filter(response_due_at__gte=day_start).exclude(answer_due_at__lt=day_start),
              the_rest.filter(answer_due_at__gte=day_start)]
    if user is not None:
        todays = [qs.filter(condition) for qs in todays]
    pieces = [
        [("sum", totals(OverdueDay.STEP, step_scope)), ("count", todays[0])],
        [("sum", totals(OverdueDay.RECEIVER, receiver_scope)), ("count", todays[1]), ("count", todays[2])],
    ]
    if user is not None:
        # The rows due before today that the column tests leave out and a grant lets through, read the
        # cheaper of two ways, chosen in the statement (PostgreSQL runs only the branch of the CASE it takes):
        # - from the grants: for each granted item (once, whoever of ``acting`` holds it), its rows, a
        #   probe of a small partial index (migration 0027); a correlated subquery per grant, so that the
        #   planner, whose estimate of a user's grants is the average user's (2,459 for the secretariat,
        #   who holds none), cannot turn it into a scan of every overdue row;
        # - from the rows: those in scope due before today, each the column tests leave out probing the
        #   grant index (``_view_granted``), as the lists filter;
        # the first when the user holds no more grants than there are such rows (the day totals say how
        # many; the grants counted up to one more than that). The secretariat's few grants: no overdue row read; a supervising leader's 7,450: the rows
        # of their departments, as before (issue 12).
        items = ItemUserObjectPermission.objects.filter(user_id__in=acting, permission_id=_view_permission_id())
        for listed, kind, scope, rows in (
                (pieces[0], OverdueDay.STEP, step_scope, open_steps.filter(due_at__lt=day_start)),
                (pieces[1], OverdueDay.RECEIVER, receiver_scope, receivers.filter(_receivers_due_before(day_start)))):
            per_item = (rows.filter(item_id=OuterRef("content_object_id")).exclude(columns).order_by()
                        .values("item_id").annotate(n_rows=Count("pk")).values("n_rows"))
            left_out = OverdueDay.objects.filter(kind=kind, day__lt=today).exclude(columns)
            if scope is not None:
                left_out = left_out.filter(scope)
            # From the rows: the lists' parts (each index-only from its own index), due before today.
            parts = [rows] if kind == OverdueDay.STEP else overdue_receiver_parts(day_start, units)
            listed.append(("granted", (
                items.order_by().values("pk"),
                left_out.order_by().values("kind").annotate(total=Sum("n")).values("total"),
                items.order_by().values("content_object_id").distinct().annotate(n_rows=Subquery(per_item)),
                *(part.exclude(columns).filter(_view_granted(acting, item="item_id")).order_by().values("pk")
                  for part in parts),
            )))
    sums, params = [], []
    for listed in pieces:
        terms = []
        for how, qs in listed:
            try:
                if how == "granted":
                    compiled = [part.query.sql_with_params() for part in qs]
                    # The grants counted only as far as one past the rows (a leader's 7,450 not all read).
                    sql = ("CASE WHEN (SELECT COUNT(*) FROM (%s LIMIT (SELECT COALESCE((%s), 0) + 1)) g) "
                           "<= COALESCE((%s), 0) "
                           "THEN (SELECT COALESCE(SUM(g.n_rows), 0) FROM (%s) g) ELSE %s END") % (
                        compiled[0][0], compiled[1][0], compiled[1][0], compiled[2][0],
                        " + ".join("(SELECT COUNT(*) FROM (%s) r)" % sql for sql, _ in compiled[3:]))
                    piece_params = [*compiled[0][1], *compiled[1][1], *compiled[1][1],
                                    *(p for _, part_params in compiled[2:] for p in part_params)]
                else:
                    sql, piece_params = (qs.order_by().values("pk") if how == "count" else qs).query.sql_with_params()
            except EmptyResultSet:
                continue
            terms.append("COALESCE((%s), 0)" % sql if how == "sum" else
                         "(SELECT COUNT(*) FROM (%s) c)" % sql if how == "count" else sql)
            params += piece_params
        sums.append(" + ".join(terms) or "0")
    # bigint, as the COUNTs of the rates' other parts (PostgreSQL's SUM of a bigint is a numeric).
    return "SELECT CAST(%s AS BIGINT) AS steps, CAST(%s AS BIGINT) AS receivers" % tuple(sums), params


def _receiver_parts_sql(now, units, user, condition=_FROM_USER) -> list[tuple[str, tuple]]:
    """[(sql, params)] of ``overdue_receiver_parts``' parts, each its rows' id
    and deadline missed first, no order; a part with nothing to see
    (qs.none(), no unit in scope) left out."""
    found = []
    for qs in overdue_receiver_parts(now, units, user, condition):
        try:
            sql, params = qs.values_list("pk", "first_missed_at").query.sql_with_params()
        except EmptyResultSet:
            continue
        found.append((sql, tuple(params)))
    return found


def _receivers_page(now, units, user, number, condition=_FROM_USER, parts=None, count=None):
    """Page ``number`` of the overdue receivers as ``_page`` gives it, in one
    query: the page's ids merged in order from ``overdue_receiver_parts``,
    each read from its own index only as far as the page reaches (ORDER BY
    … LIMIT in each, then over both), with the list's length beside them (the
    sum of a COUNT of each, index-only). A number past the end (or below 1) costs a
    second query, for the last page. Sorting the whole list for each page
    read and sorted all 19,400 overdue receivers at 100,000 items (issue 12).

    Each part is compiled by the ORM once (its rows' id and deadline missed
    first, no order) and the count, the ids and a last page's retry are
    written around that SQL: compiling the visibility rule for each of them
    cost ~1 ms of Python apiece (issue 12). ``parts``: those parts'
    ``_receiver_parts_sql`` when the caller has them (compiled once,
    ``ontime_report``). ``count``: the list's length when the caller has it
    (``overdue_counts_sql``): the page's ids are then read without counting
    every overdue receiver, and a number past the end goes straight to the
    last page (issue 12)."""
    try:
        number = int(number) if number else 1
    except (TypeError, ValueError):
        number = 1
    paginator = Paginator([], PAGE_SIZE)
    if parts is None:
        parts = _receiver_parts_sql(now, units, user, condition)
    sqls = [sql for sql, _params in parts]
    params = [tuple(part_params) for _sql, part_params in parts]
    if not sqls:
        paginator.count = 0
        return Page([], 1, paginator)
    parts = ["SELECT * FROM (%s) p%d" % (sql, i) for i, sql in enumerate(sqls)]  # columns pk, first_missed_at
    # The parts counted apart and added: a COUNT over their UNION ALL passed
    # every row through the union's nodes, twice the count's time (19,400
    # rows: 7 -> 3.7 ms; issue 12).
    count_sql = "SELECT %s" % " + ".join("(SELECT COUNT(*) FROM (%s) c%d)" % (sql, i) for i, sql in enumerate(sqls))
    count_params = sum(params, ())

    def ids_of(page_number):
        reach = page_number * PAGE_SIZE  # each part gives at most the rows up to the page's end
        union = " UNION ALL ".join(
            "SELECT * FROM (%s ORDER BY first_missed_at, pk LIMIT %d) q%d" % (part, reach, i)
            for i, part in enumerate(parts))
        sql = (f"SELECT u.pk, ({count_sql}) FROM ({union}) u "
               f"ORDER BY u.first_missed_at, u.pk LIMIT %s OFFSET %s")
        with connection.cursor() as cursor:
            cursor.execute(sql, count_params + count_params + (PAGE_SIZE, reach - PAGE_SIZE))
            return cursor.fetchall()

    if count is not None:
        paginator.count = count
        if not count:
            number = 1
        elif number < 1 or number > paginator.num_pages:
            number = paginator.num_pages
        with connection.cursor() as cursor:
            reach = number * PAGE_SIZE
            union = " UNION ALL ".join(
                "SELECT * FROM (%s ORDER BY first_missed_at, pk LIMIT %d) q%d" % (part, reach, i)
                for i, part in enumerate(parts))
            cursor.execute(f"SELECT u.pk FROM ({union}) u ORDER BY u.first_missed_at, u.pk LIMIT %s OFFSET %s",
                           count_params + (PAGE_SIZE, reach - PAGE_SIZE))
            ids = [pk for (pk,) in cursor.fetchall()] if count else []
        return Page(_rows_in_order(_receiver_rows, ids), number, paginator)
    found = ids_of(number) if number >= 1 else []
    if found:
        paginator.count = found[0][1]
    else:
        with connection.cursor() as cursor:
            cursor.execute(count_sql, count_params)
            paginator.count = cursor.fetchone()[0]
        number = 1 if number == 1 or not paginator.count else paginator.num_pages
        found = ids_of(number) if paginator.count else []
    ids = [pk for pk, _total in found]
    return Page(_rows_in_order(_receiver_rows, ids), number, paginator)


def _rows_in_order(build, ids):
    """The rows ``build(*ids)`` gives (``infoflow.compiled``: its SQL compiled
    once per process and number of ids), in the order of ``ids``."""
    if not ids:
        return []
    rows = {row.pk: row for row in compiled.rows(build, *ids)}
    return [rows[pk] for pk in ids]


class _CompiledIds:
    """The ids of a list's compiled SQL (its ORDER BY included), sliced as
    a Paginator slices its list: LIMIT and OFFSET as parameters."""

    def __init__(self, sql: str, params):
        self.sql, self.params = sql, list(params)

    def __getitem__(self, bounds: slice) -> list:
        if bounds.stop <= bounds.start:
            return []  # an empty list's page: no query, as a sliced queryset
        with connection.cursor() as cursor:
            cursor.execute(self.sql + " LIMIT %s OFFSET %s",
                           self.params + [bounds.stop - bounds.start, bounds.start])
            return [pk for (pk,) in cursor.fetchall()]


def _page(queryset, number, rows_of, count=None):
    """Page ``number`` of ``queryset`` as ``Paginator.get_page`` gives it (a
    number that is not one: the first page; past the end: the last): the
    page's ids on the narrow rows the filter and the order need, then those
    rows with the joins the page shows (``rows_of``, a module-level function
    of the ids giving a queryset, read through ``infoflow.compiled``).
    Joining them for every overdue row before sorting cost the receivers'
    list ~230 ms at 100,000 items. The list's count comes from a COUNT;
    ``count``, the list's length when the caller counted it, spares it.
    ``queryset`` may be ``_CompiledIds`` (with ``count``)."""
    ids = queryset if isinstance(queryset, _CompiledIds) else queryset.values_list("pk", flat=True)
    paginator = Paginator(ids, PAGE_SIZE)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not queried
    page = paginator.get_page(number)
    page.object_list = _rows_in_order(rows_of, list(page.object_list))
    return page


def step_rows(ids):
    """The overdue steps ``ids`` with what the page shows of them."""
    return (
        ReviewStep.objects.filter(pk__in=ids).select_related("item", "item__unit")
        .only("pk", "name", "due_at", "started_at", "item__id", "item__number", "item__subject",
              "item__confidentiality", "item__unit__name")
    )


# The receivers' columns the page shows (the rows' tag, ``Receiver.label``,
# ``overdue_duties``): the full rows of the item and of four related tables
# cost more Python to read than the rest of the list (issue 12).
RECEIVER_ROW_FIELDS = (
    "pk", "kind", "state", "response_due_at", "answer_due_at",
    "item__id", "item__number", "item__subject", "item__confidentiality", "item__unit__name",
    "unit__name", "user__username", "user__first_name", "user__last_name", "external_unit__name", "contact__name",
)


def receiver_rows(ids):
    """The overdue receivers ``ids`` with what the page shows of them."""
    return (Receiver.objects.filter(pk__in=ids).select_related(
        "item", "item__unit", "unit", "user", "external_unit", "contact").only(*RECEIVER_ROW_FIELDS))


def _step_rows(*ids):
    return step_rows(ids).order_by()  # the page's order is the ids'


def _receiver_rows(*ids):
    return receiver_rows(ids).order_by()


def ontime_report(user, start, end, now=None, steps_page=1, receivers_page=1, overdue=True) -> OnTimeReport:
    """The page's data for ``user`` over [start, end) (aware datetimes):
    the rates, and when ``overdue`` the page numbers asked of the two overdue
    lists (a bad or out-of-range number gives the first or last page, as
    ``Paginator.get_page``)."""
    now = now or timezone.now()
    units = unit_scope(user)
    by_unit: dict[int, UnitRate] = {}
    days = whole_days(start, end)
    overdue_count = receivers_count = None
    statements = condition = None
    if overdue and days and user is not None and user.is_authenticated and user.is_active:
        # The page's statements (rates with the steps' count, the steps' ids, the receivers' parts),
        # compiled once per user's rule (issue 12).
        statements = _page_statements(user, units, start, end, now, days)
    elif overdue:
        condition = copies_condition(user)  # stated once for the page's three statements

    def rate_of(row):
        return by_unit.setdefault(row["dept"], UnitRate(row["dept"], row["unit_name"]))

    if overdue and days:
        # Both rates' rows and the overdue steps' length in one query.
        overdue_count = 0
        rows = (_dict_rows(statements[0]) if statements is not None else
                review_rates_with_overdue(start, end, now, days, units, user, condition, feedback=True))
        for row in rows:
            part = row["part"]
            if part == 5:  # both lists' lengths (overdue_counts_sql), no department
                overdue_count += row["overdue"]
                receivers_count = row["total"]
                continue
            overdue_count += row["overdue"]
            if part == 4:
                continue  # the overdue steps' length, no department
            rate = rate_of(row)
            if part < 2:
                rate.review_total += row["total"]
                rate.review_on_time += row["on_time"]
            else:
                rate.feedback_total += row["total"]
                rate.feedback_on_time += row["on_time"]
    else:
        for row in review_rates(start, end, now, units):
            rate = rate_of(row)
            rate.review_total += row["total"]
            rate.review_on_time += row["on_time"]
        for row in feedback_rates(start, end, now, units):
            rate = rate_of(row)
            rate.feedback_total += row["total"]
            rate.feedback_on_time += row["on_time"]
    report = OnTimeReport(start=start, end=end, units=sorted(by_unit.values(), key=lambda u: u.name))
    if overdue and statements is not None:
        steps = statements[1]
        report.steps_page = _page(_CompiledIds(*steps) if steps else ReviewStep.objects.none(), steps_page,
                                  _step_rows, count=overdue_count)
        report.receivers_page = _receivers_page(now, units, user, receivers_page, parts=statements[2:],
                                                count=receivers_count)
    elif overdue:
        report.steps_page = _page(overdue_steps(now, units, user, condition), steps_page, _step_rows,
                                  count=overdue_count)
        report.receivers_page = _receivers_page(now, units, user, receivers_page, condition)
    if overdue:
        report.overdue_steps = list(report.steps_page.object_list)
        report.overdue_receivers = list(report.receivers_page.object_list)
        for row in report.overdue_receivers:
            row.overdue = overdue_duties(row, now)
    return report


def _page_statements(user, units, start, end, now, days) -> list:
    """[the rates with the overdue steps' length (``review_rates_with_overdue``
    with feedback), the overdue steps' ids in order (``overdue_steps``), the
    overdue receivers' parts (``_receiver_parts_sql``)…] as (sql, params),
    None for a statement with nothing to run: compiled by the ORM once per
    process for each user's rule (``compiled_sql``, keyed by what the SQL
    reads: the user's roles, which hold their id, units and superuser flag;
    their acting ids, read afresh on every request; the view permission's
    id; the units in scope) and given this request's moments. Building and
    compiling them, each with the visibility rule, cost ~10 ms of Python a
    request (issue 12)."""
    acting = _acting_user_ids(user)
    key = ("ontime", roles_of(user), user.is_superuser, tuple(acting), _view_permission_id(),
           None if units is None else tuple(sorted(units)))

    def build(start, end, now, until, first_day, after_day, day_start, today):
        condition = visibility_q(user, copies=True, granted_to=acting)  # copies_condition's
        if units is not None:
            # A supervising leader: their departments' rows are read either way (the rows their column rules
            # leave out, nearly all, each probing their grants), and counting them beside the day totals
            # cost more than counting them as the lists filter (part 4, the receivers' page; issue 12).
            rates = review_rates_with_overdue(start, end, now, (first_day, after_day), units, user, condition,
                                              feedback=True, until=until)
            steps = overdue_steps(now, units, user, condition).values_list("pk", flat=True)
            return [_sql(rates), _sql(steps), *_receiver_parts_sql(now, units, user, condition)]
        rates = _sql(review_rates_with_overdue(start, end, now, (first_day, after_day), units, user, condition,
                                               feedback=True, until=until, overdue_part=False))
        # Both lists' lengths from the overdue day totals (part 5 of the rates' rows, one round trip).
        counts, count_params = overdue_counts_sql(now, day_start, today, units, user, condition, acting)
        if rates is None:  # pragma: no cover - the day totals' part compiles for any units in scope
            rates = ("SELECT NULL AS part, NULL AS dept, NULL AS unit_name, 0 AS total, 0 AS on_time, "
                     "0 AS overdue WHERE 1 = 0", [])
        # Part 5: ``overdue`` the steps' length, ``total`` the receivers'.
        counted = f"{rates[0]} UNION ALL SELECT 5, NULL, NULL, receivers, 0, steps FROM ({counts}) c"
        rates = (counted, [*rates[1], *count_params])
        steps = overdue_steps(now, units, user, condition).values_list("pk", flat=True)
        return [rates, _sql(steps), *_receiver_parts_sql(now, units, user, condition)]

    local_now = timezone.localtime(now, timezone.get_default_timezone())
    today = local_now.date()
    day_start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    return compiled_sql.statements(key, build, start=start, end=end, now=now, until=min(end, now),
                                   first_day=days[0], after_day=days[1], day_start=day_start, today=today)


def _sql(queryset):
    try:
        return queryset.query.sql_with_params()
    except EmptyResultSet:  # nothing to see (no unit in scope)
        return None


def _dict_rows(statement) -> list[dict]:
    """The rows of ``statement`` (sql, params) as dicts by column name; none for None."""
    if statement is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
