"""Every queryset a publication page, count or admin screen shows.

The bulletin (``bulletin_releases``) shows public items only, whatever was
released where: an item made internal or restricted later, or released by
mistake, never appears (seed 002 §五(三) 信息访问控制; domain: confidentiality).
"""
import datetime
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import IsNull
from django.utils import timezone

from infoflow.models import Confidentiality, Item
from infoflow.selectors import _acting_user_ids
from infoflow.visibility import items_visible_to, visibility_q
from officers.roles import roles_of

from .models import Channel, Correction, Feedback, ItemEdit, Release, ReleasePlan, ReleaseRecord


def is_publisher(user) -> bool:
    """The secretariat (信息发布中心) releases; a channel's manager records on it."""
    return bool(user and user.is_authenticated and user.is_active and roles_of(user).is_secretariat)


def may_record_on(user, channel: Channel) -> bool:
    """Who may add a release record on ``channel``: the secretariat or the channel's manager."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return is_publisher(user) or channel.manager_id == user.pk


# An item stays released while approved and after (待传递 … 已归档); a released
# item cancelled (作废) later leaves the bulletin (trial 16).
RELEASED_STATES = (Item.State.APPROVED, Item.State.TRANSMITTED, Item.State.COMPLETED, Item.State.ARCHIVED)


def bulletin_records() -> QuerySet:
    """Release records on the portal bulletin of public items still released."""
    return ReleaseRecord.objects.filter(
        channel_kind=Channel.Kind.BULLETIN, release__item__confidentiality=Confidentiality.PUBLIC,
        release__item__state__in=RELEASED_STATES,
    )


def bulletin_releases(*, category=None, query: str = "") -> QuerySet:
    """Releases readable on /bulletin/ by any signed-in staff member: public
    items with a bulletin record, newest first. Annotated with ``views`` (sum
    over the bulletin record), ``feedback_count`` and ``has_correction``.

    The item's rule (public, still released, the search's ``icontains`` on
    its subject, summary or number) and the bulletin record are each one
    probe of a primary key or an index per release, written as
    ``(SELECT … LIMIT 1) IS NOT NULL`` so PostgreSQL keeps them per-row
    tests: the bulletin reads its own releases only. As a join with the
    search on the item's columns the planner scanned every item (100 ms at
    100,000 items), and the record's EXISTS, which joined the release and
    the item again, became a nested loop over every record (issue 12)."""
    item_rule = Q(confidentiality=Confidentiality.PUBLIC, state__in=RELEASED_STATES)
    if query:
        item_rule &= Q(subject__icontains=query) | Q(summary__icontains=query) | Q(number__icontains=query)
    item_probe = Item.objects.filter(item_rule, pk=OuterRef("item_id")).order_by().values("pk")[:1]
    record_probe = (ReleaseRecord.objects.filter(release=OuterRef("pk"), channel_kind=Channel.Kind.BULLETIN)
                    .order_by().values("pk")[:1])
    qs = (
        Release.objects.filter(IsNull(Subquery(item_probe), False), IsNull(Subquery(record_probe), False),
                               first_released_at__isnull=False)
        .select_related("item", "item__unit", "category")
        .annotate(has_correction=Exists(Correction.objects.filter(original=OuterRef("item_id"),
                                                                  item__state__in=RELEASED_STATES)))
    )
    if category is not None:
        qs = qs.filter(category=category)
    return qs.order_by("-first_released_at", "-pk")


class LatestItem(NamedTuple):
    subject: str


class LatestRelease(NamedTuple):
    """A row of the home card's bulletin: what it shows of a release."""

    pk: int
    first_released_at: datetime.datetime
    item: LatestItem


def bulletin_latest_rows(count: int = 3) -> list[LatestRelease]:
    """``bulletin_releases()``'s newest ``count`` releases, only what the
    home card shows, as one plain statement: the ORM's queryset (two EXISTS
    annotations, three joins) cost the home page about 6 ms of Python for
    three rows (issue 12). The bulletin record's test is on the release's
    own item, already tested here, and written as a probe per row
    (``(SELECT … LIMIT 1) IS NOT NULL``) so PostgreSQL walks
    ``release_bulletin_order`` and stops at the third row (0.2 ms at 100,000
    items); as EXISTS it became a semi-join sorting every release (25–50 ms)."""
    states = "(" + ", ".join(["%s"] * len(RELEASED_STATES)) + ")"
    sql = (
        "SELECT r.id, r.first_released_at, i.subject FROM publication_release r "
        "JOIN infoflow_item i ON i.id = r.item_id "
        f"WHERE r.first_released_at IS NOT NULL AND i.confidentiality = %s AND i.state IN {states} "
        "AND (SELECT rr.id FROM publication_releaserecord rr WHERE rr.release_id = r.id "
        "AND rr.channel_kind = %s LIMIT 1) IS NOT NULL "
        "ORDER BY r.first_released_at DESC, r.id DESC LIMIT %s"
    )
    params = [str(Confidentiality.PUBLIC.value), *[str(s.value) for s in RELEASED_STATES],
              str(Channel.Kind.BULLETIN.value), count]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [LatestRelease(pk, _db_moment(moment), LatestItem(subject)) for pk, moment, subject in rows]


def _db_moment(value) -> datetime.datetime:
    """A timestamp read by a plain cursor as the ORM reads it (SQLite hands back text)."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.timezone.utc)
    return value


def bulletin_views(release_ref: str = "pk") -> Subquery:
    """The views counted on the bulletin record of the release ``release_ref``
    names, for a release already known to be on the bulletin
    (``bulletin_releases``): the record alone, without joining its release
    and item again."""
    return Subquery(ReleaseRecord.objects.filter(release=OuterRef(release_ref), channel_kind=Channel.Kind.BULLETIN)
                    .order_by("-released_at", "-pk").values("views")[:1])


_BULLETIN_PAGE_SQL = """
SELECT r.id, r.first_released_at, i.subject, u.name, c.name,
       EXISTS (SELECT 1 FROM publication_correction k JOIN infoflow_item ki ON ki.id = k.item_id
               WHERE k.original_id = r.item_id AND ki.state = ANY(%(states)s)) AS has_correction,
       (SELECT b.views FROM publication_releaserecord b WHERE b.release_id = r.id AND b.channel_kind = %(bulletin)s
        ORDER BY b.released_at DESC, b.id DESC LIMIT 1) AS views,
       COUNT(*) OVER () AS total
FROM publication_release r
JOIN infoflow_item i ON i.id = r.item_id
JOIN officers_orgunit u ON u.id = i.unit_id
LEFT JOIN publication_bulletincategory c ON c.id = r.category_id
WHERE r.first_released_at IS NOT NULL AND i.confidentiality = %(public)s AND i.state = ANY(%(states)s)
  AND (SELECT 1 FROM publication_releaserecord b WHERE b.release_id = r.id AND b.channel_kind = %(bulletin)s
       LIMIT 1) IS NOT NULL
  {category} {search}
ORDER BY r.first_released_at DESC, r.id DESC
LIMIT %(limit)s OFFSET %(offset)s"""


def bulletin_page(*, category=None, query: str = "", number=None, per_page: int = 20) -> Page:
    """One page of ``bulletin_releases(category=…, query=…)`` as the bulletin
    list shows it: dicts with ``pk``, ``first_released_at``,
    ``item__subject``, ``item__unit__name``, ``category__name``,
    ``has_correction`` and ``views`` (those of ``bulletin_views``), paged as
    ``Paginator.get_page`` pages (a number out of range: the last page).

    One plain statement, the page's rows and the count (a window count) in
    one round trip: building and compiling the selector's queryset with its
    subqueries cost the page more Python than rendering it (issue 12). The
    same rule as ``bulletin_releases``, the search its ``icontains``
    (``UPPER(…) LIKE UPPER(%…%)`` with the LIKE characters escaped);
    tests/publication/test_bulletin.py compares the two."""
    if connection.vendor != "postgresql":  # the statement is PostgreSQL's (ANY, ::text); elsewhere the selector's
        rows = bulletin_releases(category=category, query=query).annotate(views=bulletin_views()).values(
            "pk", "first_released_at", "item__subject", "item__unit__name", "category__name", "has_correction", "views")
        return Paginator(rows, per_page).get_page(number)
    params = {"states": [str(s) for s in RELEASED_STATES], "bulletin": str(Channel.Kind.BULLETIN),
              "public": str(Confidentiality.PUBLIC), "limit": per_page}
    category_sql = search_sql = ""
    if category is not None:
        category_sql = "AND r.category_id = %(category)s"
        params["category"] = category.pk
    if query:
        search_sql = ("AND (UPPER(i.subject::text) LIKE UPPER(%(like)s) OR UPPER(i.summary::text) LIKE UPPER(%(like)s)"
                      " OR UPPER(i.number::text) LIKE UPPER(%(like)s))")
        params["like"] = "%%%s%%" % connection.ops.prep_for_like_query(query)
    sql = _BULLETIN_PAGE_SQL.format(category=category_sql, search=search_sql)
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 1

    def fetch(n):
        with connection.cursor() as cursor:
            cursor.execute(sql, {**params, "offset": (n - 1) * per_page})
            return cursor.fetchall()

    rows = fetch(number) if number >= 1 else []
    if not rows and number != 1:  # out of range (below 1 or past the end): the last page, as get_page shows
        first = fetch(1)
        total = first[0][-1] if first else 0
        number = max(1, -(-total // per_page))
        rows = fetch(number)
    paginator = Paginator([], per_page)
    paginator.count = rows[0][-1] if rows else 0  # the cached property, known from the window count
    keys = ("pk", "first_released_at", "item__subject", "item__unit__name", "category__name", "has_correction",
            "views")
    return Page([dict(zip(keys, row)) for row in rows], number, paginator)


def acting_ids(user) -> list[int]:
    """The user's id and those of the principals who named them their deputy
    for now (one small query), for the ``acting`` argument of the selectors
    below when a page builds several of them."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    return _acting_user_ids(user)


def item_visible_q(user, item_ref: str, acting: list[int] | None = None) -> Q | None:
    """``items_visible_to``'s rule on the item a row points to (``item_ref``:
    the path to its id, "release__item_id"), None for nothing.

    One probe of the item's primary key per row, the grant a probe of the
    grant index inside it, written as ``(SELECT … LIMIT 1) IS NOT NULL`` so
    PostgreSQL keeps it a per-row test: a month's few records read only
    themselves, where "item in the set of every visible item" built that set
    from the whole item table, and a plain join to the item with the rule on
    its columns was hash-joined against a scan of every item once the
    planner knew the month held a few hundred records (issue 12)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    condition = visibility_q(user, granted_to=acting_ids(user) if acting is None else acting)
    probe = Item.objects.filter(condition, pk=OuterRef(item_ref)).order_by().values("pk")[:1]
    return Q(IsNull(Subquery(probe), False))


def releases_visible_to(user, acting: list[int] | None = None) -> QuerySet:
    """Releases whose item the user may see in the portal (infoflow.visibility; the
    secretariat too sees a restricted item only on its path)."""
    condition = item_visible_q(user, "item_id", acting)
    return Release.objects.none() if condition is None else Release.objects.filter(condition)


def records_visible_to(user, acting: list[int] | None = None) -> QuerySet:
    """Release records of releases the user may see (``releases_visible_to``)."""
    condition = item_visible_q(user, "release__item_id", acting)
    return ReleaseRecord.objects.none() if condition is None else ReleaseRecord.objects.filter(condition)


def plans_visible_to(user, acting: list[int] | None = None) -> QuerySet:
    """Plans the user is in charge of, and plans of releases they may see."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ReleasePlan.objects.none()
    return ReleasePlan.objects.filter(Q(person_in_charge=user) | item_visible_q(user, "release__item_id", acting))


def feedback_visible_to(user, acting: list[int] | None = None) -> QuerySet:
    """Feedback on what the user may read: public bulletin releases
    (``bulletin_releases``) and the releases of items they may see; both
    tested on each row's own release and item."""
    condition = item_visible_q(user, "release__item_id", acting)
    on_bulletin = Q(release__item__confidentiality=Confidentiality.PUBLIC, release__item__state__in=RELEASED_STATES,
                    release__first_released_at__isnull=False) & Exists(
        ReleaseRecord.objects.filter(release=OuterRef("release_id"), channel_kind=Channel.Kind.BULLETIN))
    return Feedback.objects.filter(on_bulletin if condition is None else on_bulletin | condition)


def edits_of(item) -> QuerySet:
    """The reviewers' edits of one item, oldest first (the caller checked it may see the item)."""
    return ItemEdit.objects.filter(item=item).select_related("edited_by").order_by("edited_at", "pk")


def corrections_visible_to(user) -> QuerySet:
    """Links whose both items the user may see (a link names both)."""
    visible = items_visible_to(user).values("pk")
    return Correction.objects.filter(item__in=visible, original__in=visible)


def channels_with_counts() -> QuerySet:
    return Channel.objects.annotate(record_count=Count("records"))


def publishable_items(user) -> QuerySet:
    """Approved publication items the user may release (publishers only)."""
    if not is_publisher(user):
        return Item.objects.none()
    return items_visible_to(user).filter(
        state__in=(Item.State.APPROVED, Item.State.TRANSMITTED, Item.State.COMPLETED, Item.State.ARCHIVED),
        kind="publication",
    )


def release_desk(user) -> QuerySet:
    """The publisher's desk: releasable items they may see, newest approved
    first (the partial index item_publication_desk), bare rows: ``desk_page``
    pages through them and loads the page's rows with their joins."""
    return (
        publishable_items(user).filter(kind__in=("publication", "notice"))
        .exclude(confidentiality=Confidentiality.RESTRICTED)
        .order_by("-approved_at", "-pk")
    )


def desk_page(user, *, query: str = "", number=None, per_page: int = 20) -> Page:
    """One page of ``release_desk`` (items whose subject holds ``query``),
    its rows ``desk_reads.DeskRow``: the item's columns, unit name, release,
    plan and records. Four queries (the delegations, the page's ids with
    the count, the rows, the records), plain statements (``desk_reads``:
    compiling the querysets was most of the page's Python; issue 12)."""
    from .desk_reads import desk_page_rows  # it imports this module

    return desk_page_rows(user, query=query, number=number, per_page=per_page)


def corrections_of(item, user) -> dict:
    """``{"corrected_by": [Correction…], "corrects": Correction|None}`` for an
    item page (the caller checked it may see ``item``; links to items the user
    may not see are left out)."""
    rows = list(corrections_visible_to(user).filter(Q(original=item) | Q(item=item))
                .select_related("item", "original").order_by("created_at", "pk"))
    return {"corrected_by": [c for c in rows if c.original_id == item.pk],
            "corrects": next((c for c in rows if c.item_id == item.pk), None)}


def corrections_of_record(record, user) -> QuerySet:
    """Corrections linked to an archived record (shown on its page; the record
    is not changed), whose correction item the user may see."""
    condition = Q(original_id=record.item_id)
    if record.pk is not None:
        condition |= Q(original_record_id=record.pk)
    return (Correction.objects.filter(condition, item__in=items_visible_to(user).values("pk"))
            .select_related("item").order_by("created_at", "pk"))


def approved_corrections(release) -> list:
    """Corrections of a bulletin release's item that passed their review (the
    bulletin's notice), annotated ``bulletin_pk``: the correction's own release
    on the bulletin, or None. Every reader sees the notice; the template shows
    a correction's text only when it is public (a correction made internal or
    restricted in its draft keeps its text off the bulletin, trial 16)."""
    on_bulletin = bulletin_releases().filter(item_id=OuterRef("item_id")).values("pk")[:1]
    return list(Correction.objects.filter(original_id=release.item_id, item__state__in=RELEASED_STATES)
                .select_related("item").annotate(bulletin_pk=Subquery(on_bulletin))
                .order_by("created_at", "pk"))


CALENDAR_ROWS = 30  # done releases listed per channel and month; the rest are counted


def release_calendar(user, *, first, last) -> dict:
    """Planned and done releases between the dates ``first`` and ``last``
    (inclusive) by channel: ``{channel: {"planned": [plan], "done":
    [record], "more": int}}`` in the channels' order, the newest
    ``CALENDAR_ROWS`` done releases of a channel listed and the others counted
    in ``more``. A plan has ``planned_on``, ``release.item_id``,
    ``release.item.subject`` and ``person_in_charge``; a record ``released_at``,
    ``release.item_id``, ``release.item.subject`` and ``released_by``
    (``month_reads.PlannedRow``, ``DoneRecord``). Four queries; the
    visibility rule (``plans_visible_to``, ``records_visible_to``) is tested on
    each record's own item, so the month's records are all that is read, in
    plain statements (``month_reads``: compiling these querysets was most of
    the page's Python; issue 12)."""
    from . import month_reads  # it imports this module

    acting = acting_ids(user)
    channels = month_reads.calendar_channels()
    out = {c: {"planned": [], "done": [], "more": 0} for c in channels}
    by_pk = {c.pk: c for c in channels}
    for plan, channel_ids in month_reads.calendar_plans(user, acting, first, last):
        for channel_id in channel_ids:
            out[by_pk[channel_id]]["planned"].append(plan)
    # Bounds as local midnights (not released_at__date, which wraps the column in a
    # time-zone cast and keeps the (channel, released_at) index from being used).
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min))
    for record, in_channel in month_reads.calendar_records(user, acting, start, end, CALENDAR_ROWS):
        row = out[by_pk[record.channel_id]]
        row["done"].append(record)
        row["more"] = max(0, in_channel - CALENDAR_ROWS)
    return out


def release_channel_choices(active_only: bool = True) -> list[tuple[str, str]]:
    """``[(code, name)]`` of the channels an item may name on its form (the
    active ones) or that label its codes (all), in the secretariat's order."""
    channels = Channel.objects.all() if not active_only else Channel.objects.filter(is_active=True)
    return list(channels.order_by("sort_order", "pk").values_list("code", "name"))
