"""The numbers on the home page's information cards (issue 12).

The same counts as the list selectors give — "my items" per tab
(``selectors.my_item_counts``), open reviews (``selectors.review_inbox``) and
receipts and answers waiting (``selectors.receiver_inbox``), each with how
many are overdue — as one plain SQL statement of three aggregates, like
``roles_of`` and the bell's count: built with the ORM they cost about 15 ms
of Python a home page (four queries, each compiled on every request), the
SQL itself a fraction of that.

The statement reads only the rows counted:

- "my items" counts the four tabs the card shows (drafts, in review,
  returned, waiting), so the (unit, state) and (initiator, state) indexes
  read the user's items in progress, never the done ones, which grow with
  the years;
- the receipts are counted per kind (the user's personal receipts, a
  unit's open receipts, the open external and all-staff ones of the user's
  units' items), each from its own index, with the item's columns read from
  the receipt's copies of them (``ItemCopies``), so the unit and originating
  parts are index-only and no receipt joins its item (``_received``). As
  ``receiver_q`` writes it, the item's unit sits inside the OR and the
  planner filtered every open receipt of the organisation (20,000 at 100,000
  items) for an officer's 400;
- the visibility rule is ``visibility.visibility_q`` on each row's item, the
  grant one probe of the (user, permission, item) index per row, for the
  user and the principals who named them their deputy (``_acting_user_ids``).

tests/infoflow/test_home_counts.py checks every number against the selectors
after each state change that moves it, for each role.
"""
import datetime
import enum
import functools
import re
from collections.abc import Callable

from django.db import connection
from django.utils import timezone

from officers.roles import roles_of

from .models import Confidentiality, Item, Receiver, ReviewStep, StepAssignee
from .selectors import BUCKET_STATES, RECEIVER_OPEN_STATES, _acting_user_ids, _view_permission_id

HOME_BUCKETS = ("drafts", "in_review", "returned", "waiting")  # the tabs the card shows
# On the originating unit's behalf (answered by its officers): external units and all staff.
FOR_ORIGINATING_UNIT = (Receiver.Kind.EXTERNAL, Receiver.Kind.ALL_STAFF)
_WORD = re.compile(r"[A-Za-z0-9_]+")  # what SqlParams writes as a literal
DELIVERED = (Item.State.TRANSMITTED, Item.State.COMPLETED, Item.State.ARCHIVED)  # visibility.DELIVERED


class SqlParams:
    """Parameters of a statement being written, by name (``%(p0)s``), so
    pieces may be written in any order.

    A TextChoices member is written as its quoted literal instead (its value
    is a word fixed in the code, checked by ``_WORD``): the statement's text
    is then the same for every request, and the driver has fewer parameters
    to find and quote on each one. The home page's statement had about 140,
    most of them states and kinds; the driver's merging of them cost about
    0.8 ms a request (issue 12). With the client-side binding the database
    receives the same text either way."""

    def __init__(self):
        self.params = {}

    def value(self, value) -> str:
        """A placeholder for ``value`` (a moment as the backend stores it:
        SQLite compares text), or a TextChoices member's value as a literal."""
        if isinstance(value, enum.Enum) and (literal := _literal(value)) is not None:
            return literal
        name = f"p{len(self.params)}"
        if isinstance(value, datetime.datetime):
            value = connection.ops.adapt_datetimefield_value(value)
        self.params[name] = str(value) if hasattr(value, "value") else value
        return f"%({name})s"

    def values(self, values) -> str:
        """``(%(p1)s, %(p2)s, …)`` for ``values``."""
        return "(" + ", ".join(self.value(value) for value in values) + ")"


@functools.lru_cache(maxsize=None, typed=True)
def _literal(member: enum.Enum) -> str | None:
    """A TextChoices member's value as an SQL literal (None for other members)."""
    if not isinstance(member.value, str):
        return None
    if _WORD.fullmatch(member.value) is None:  # never quote anything but a plain word
        raise ValueError(f"not a plain word: {member.value!r}")
    return f"'{member.value}'"


def granted_sql(sql: SqlParams, item_column: str, acting: list[int]) -> str:
    """``selectors._view_granted``: one of ``acting`` holds a view grant on the item.

    The probe selects a constant, not the grant's id, so PostgreSQL answers it
    from the (user, permission, item) index alone, without visiting the
    grant's row: the leader's review count probes it once per pending review
    (1,011 at 100,000 items; issue 12)."""
    return (
        "(SELECT 1 FROM infoflow_itemuserobjectpermission g WHERE g.content_object_id = "
        f"{item_column} AND g.permission_id = {sql.value(_view_permission_id())} AND g.user_id IN "
        f"{sql.values(acting)} LIMIT 1) IS NOT NULL"
    )


def visible_sql(sql: SqlParams, user, roles, acting: list[int], copies: str | None = None) -> str:
    """``visibility.visibility_q(user, prefix="item__", granted_to=acting)``
    on a row's joined item ``i``, for other apps' home counts too (followup);
    with ``copies``, a table alias, on that row's copies of its item's
    columns instead (``models.ItemCopies``: ``item_unit_id`` …, kept by
    triggers), so the row needs no join to the item."""
    if copies is None:
        unit, state, confidentiality, to_all_staff, item = "i.unit_id", "i.state", "i.confidentiality", \
            "i.to_all_staff", "i.id"
    else:
        unit, state, confidentiality, to_all_staff, item = (
            f"{copies}.item_unit_id", f"{copies}.item_state", f"{copies}.item_confidentiality",
            f"{copies}.item_to_all_staff", f"{copies}.item_id")
    unrestricted = f"NOT ({confidentiality} = {sql.value(Confidentiality.RESTRICTED)})"
    arms = []
    if roles.officer_unit_ids:
        arms.append(f"({unit} IN {sql.values(sorted(roles.officer_unit_ids))} AND {unrestricted})")
    if roles.headed_unit_ids:
        arms.append(f"({unit} IN {sql.values(sorted(roles.headed_unit_ids))} "
                    f"AND NOT ({state} = {sql.value(Item.State.DRAFT)}) AND {unrestricted})")
    if roles.sees_everything_unrestricted or user.is_superuser:
        arms.append(f"(NOT ({state} = {sql.value(Item.State.DRAFT)}) AND {unrestricted})")
    arms.append(f"({state} IN {sql.values(DELIVERED)} AND {to_all_staff} AND {unrestricted})")
    # The grant last: PostgreSQL tests an OR's arms in the order written, so
    # the rows the columns above admit (an officer's unit's receipts: 400 at
    # 100,000 items) skip the probe of the grant index (issue 12).
    arms.append(granted_sql(sql, item, acting))
    return "(" + " OR ".join(arms) + ")"


def _my_items(sql: SqlParams, user, roles) -> str:
    """``selectors.own_items`` counted per tab of the card (drafts, in
    review, returned, waiting).

    As two disjoint parts added up, each read from its own covering index
    alone (index-only; infoflow 0020): the items of the user's officer units
    (``item_unit_counts``: unit, state, confidentiality, id), and the items
    they started in other units (``item_initiator_counts``: initiator, unit,
    state, id). Written as one "initiator or unit" filter it was a BitmapOr
    that visited every counted item's row: 12,000 heap pages, 330 ms, for an
    officer at 1,000,000 items (issue 12)."""
    states = [state for bucket in HOME_BUCKETS for state in BUCKET_STATES[bucket]]

    def counts() -> str:
        return ", ".join(f"COUNT(*) FILTER (WHERE i.state IN {sql.values(BUCKET_STATES[bucket])}) AS {bucket}"
                         for bucket in HOME_BUCKETS)

    granted = granted_sql(sql, "i.id", [user.pk])
    started = f"i.initiator_id = {sql.value(user.pk)} AND i.state IN {sql.values(states)}"
    if not roles.officer_unit_ids:
        return f"SELECT {counts()} FROM infoflow_item i WHERE {started} AND {granted}"
    units = sorted(roles.officer_unit_ids)
    of_units = (f"SELECT {counts()} FROM infoflow_item i WHERE i.unit_id IN {sql.values(units)} "
                f"AND i.state IN {sql.values(states)} AND (NOT (i.confidentiality = "
                f"{sql.value(Confidentiality.RESTRICTED)}) OR {granted_sql(sql, 'i.id', [user.pk])})")
    elsewhere = (f"SELECT {counts()} FROM infoflow_item i WHERE {started} "
                 f"AND NOT (i.unit_id IN {sql.values(units)}) AND {granted}")
    total = ", ".join(f"u.{bucket} + e.{bucket} AS {bucket}" for bucket in HOME_BUCKETS)
    return f"SELECT {total} FROM ({of_units}) u CROSS JOIN ({elsewhere}) e"


def _reviews(sql: SqlParams, user, acting: list[int], now) -> str:
    """``selectors.review_inbox(user)`` counted, and of it the overdue steps.

    The pending assignments and their open steps are read from indexes alone
    (migration infoflow 0026: ``assignee_pending``, ``reviewstep_open_id``),
    the grant by an index-only probe (``granted_sql``): the leader's 1,011
    pending reviews at 100,000 items took 11,900 buffer visits, now 8,100,
    the rest each row's grant and its item's initiator (issue 12). The count
    still grows with the reviewer's pending reviews.

    The reviewer's own items are left out by an anti-join on the items they
    started (``item_initiator_counts``, index-only), not by joining each
    step's item: the leader's 1,011 reviews visited 1,011 item rows for
    their initiator (8,100 buffer visits), now none (5,070); the initiator
    is never null, so ``NOT EXISTS`` keeps the same rows as ``NOT (i.initiator_id = user)``."""
    counts = f"COUNT(*) AS total, COUNT(*) FILTER (WHERE s.due_at < {sql.value(now)}) AS overdue"
    pending = StepAssignee.Decision.PENDING
    if len(acting) == 1:
        where = (f"a.decision = {sql.value(pending)} AND a.user_id = {sql.value(user.pk)} "
                 f"AND s.state = {sql.value(ReviewStep.State.OPEN)}")
        tables = "infoflow_reviewstep s JOIN infoflow_stepassignee a ON a.step_id = s.id"
    else:
        where = (f"s.state = {sql.value(ReviewStep.State.OPEN)} AND s.id IN (SELECT m.step_id FROM "
                 f"infoflow_stepassignee m WHERE m.user_id IN {sql.values(acting)} AND m.decision = "
                 f"{sql.value(pending)})")
        tables = "infoflow_reviewstep s"
    return (f"SELECT {counts} FROM {tables} WHERE {where} AND {granted_sql(sql, 's.item_id', acting)} "
            f"AND NOT EXISTS (SELECT 1 FROM infoflow_item i WHERE i.id = s.item_id "
            f"AND i.initiator_id = {sql.value(user.pk)})")


def _received(sql: SqlParams, user, roles, acting: list[int], now) -> str:
    """``selectors.receiver_inbox(user)`` counted, and of it those past the
    answer's limit or, not yet acknowledged, past the receipt's limit.

    ``receiver_q``'s three arms are disjoint by the receipt's kind, so each
    is counted on its own and the counts added: the user's personal
    receipts (the user index), the open receipts of the units they head or
    serve (``receiver_open_unit``) and, for an officer, the open external and
    all-staff receipts of their units' items (``receiver_open_originating``,
    by the receipt's copy of the item's unit). Visibility and the item's
    state are tested on the receipt's copies of its item's columns
    (``ItemCopies``), so the last two are index-only and no receipt joins its
    item: as one OR over the joined item it visited each counted receipt's
    row and then its item's, 36,000 pages, 400 ms, for an officer at
    1,000,000 items (issue 12)."""
    def count(where: str) -> str:
        overdue = (f"r.answer_due_at < {sql.value(now)} OR (r.response_due_at < {sql.value(now)} "
                   f"AND r.state = {sql.value(Receiver.State.SENT)})")
        return (f"SELECT COUNT(*) AS total, COUNT(*) FILTER (WHERE {overdue}) AS overdue "
                f"FROM infoflow_receiver r WHERE {where} AND r.state IN {sql.values(RECEIVER_OPEN_STATES)} "
                f"AND {visible_sql(sql, user, roles, acting, copies='r')} "
                f"AND NOT (r.item_state IN {sql.values((Item.State.CANCELLED, Item.State.WITHDRAWN))})")

    parts = [count(f"r.kind = {sql.value(Receiver.Kind.USER)} AND r.user_id = {sql.value(user.pk)}")]
    acting_units = roles.headed_unit_ids | roles.officer_unit_ids
    if acting_units:
        parts.append(count(f"r.kind = {sql.value(Receiver.Kind.UNIT)} "
                           f"AND r.unit_id IN {sql.values(sorted(acting_units))}"))
    if roles.officer_unit_ids:
        parts.append(count(f"r.kind IN {sql.values(FOR_ORIGINATING_UNIT)} "
                           f"AND r.item_unit_id IN {sql.values(sorted(roles.officer_unit_ids))}"))
    if len(parts) == 1:
        return parts[0]
    names = [f"k{i}" for i in range(len(parts))]
    added = " + ".join(f"{n}.{{0}}" for n in names)
    tables = " CROSS JOIN ".join(f"({part}) {name}" for part, name in zip(parts, names))
    return f"SELECT {added.format('total')} AS total, {added.format('overdue')} AS overdue FROM {tables}"


def request_acting_ids(request) -> list[int]:
    """``selectors._acting_user_ids(request.user)``, read once per request
    for the home cards that need it (this module's and followup's): one
    request is one moment, so the delegations in force are the same."""
    cached = getattr(request, "_home_acting_ids", None)
    if cached is None or cached[0] != request.user.pk:
        cached = (request.user.pk, _acting_user_ids(request.user))
        request._home_acting_ids = cached
    return cached[1]


def home_counts_select(sql: SqlParams, user, acting: list[int], now) -> tuple[str, int, Callable[[tuple], dict]]:
    """``home_counts``'s one-row statement for an authenticated ``user``, its
    parameters written to ``sql``, the number of its columns and the
    function that makes the counts of its row: for the home page's one statement of every card
    (portal.home_figures) and for ``home_counts``."""
    roles = roles_of(user)
    parts = [f"({_my_items(sql, user, roles)}) my", f"({_reviews(sql, user, acting, now)}) rv"]
    if user.is_active:  # visibility_q: an inactive user sees nothing, so receives nothing
        parts.append(f"({_received(sql, user, roles, acting, now)}) rc")

    def finish(row) -> dict:
        counts = {"my": dict(zip(HOME_BUCKETS, row[:4])), "reviews": {"total": row[4], "overdue": row[5]},
                  "received": {"total": 0, "overdue": 0}, "show_incoming": roles.is_secretariat}
        if user.is_active:
            counts["received"] = {"total": row[6], "overdue": row[7]}
        return counts

    return "SELECT * FROM " + " CROSS JOIN ".join(parts), 8 if user.is_active else 6, finish


def home_counts(user, acting: list[int] | None = None) -> dict:
    """The numbers on the home cards: {"my": {tab: n} for the four tabs the
    card shows, "reviews": {"total", "overdue"}, "received": {"total",
    "overdue"}, "show_incoming": the incoming register's card}. Two queries
    (the delegations in force, then the counts), whatever the number of rows;
    one when ``acting`` (``request_acting_ids``) is given. The home page
    runs the same statement as part of its one statement of every card
    (portal.home_figures)."""
    if user is None or not user.is_authenticated:
        roles = roles_of(user)
        zero = {"total": 0, "overdue": 0}
        return {"my": dict.fromkeys(HOME_BUCKETS, 0), "reviews": dict(zero), "received": dict(zero),
                "show_incoming": roles.is_secretariat}
    acting = _acting_user_ids(user) if acting is None else acting
    sql = SqlParams()
    select, _, finish = home_counts_select(sql, user, acting, timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(select, sql.params)
        return finish(cursor.fetchone())
