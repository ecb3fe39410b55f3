"""Reads for the portal pages: the lists with their joins, the home counts and
the item timeline. Every list starts from ``items_visible_to(user)`` so that
what a page shows, counts and searches is exactly what the user may see.

Each list is one query for its rows (plus the paginator's count): the joins a
template needs are taken here, counts are annotated, never loaded per row.

"My items" and the review inbox are the two busiest pages. They stay inside
``items_visible_to`` by the rules that cover their rows — the user's own view
grants (``_view_granted``: rule 1, and rule 6 for a deputy) and, for my
items, rule 2 (an unrestricted item of the officer's unit) — rather than by
the whole visibility clause: its OR of hashed grant subplans made PostgreSQL
scan every open step for the inbox, and hashed all of the user's grants for
every query. Every row of these lists is on the user's path and carries a
grant, so the rows are the same; bench/inbox.py measures them against the
bare indexed query.
"""
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import IsNull
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.data_labels import label as data_label
from officers.models import ExternalContact, ExternalUnit
from officers.roles import roles_of
from publication.timeline import edit_events  # reviewers' edits as diffs (issue 16)

from . import compiled
from .loop_models import ChecklistTick
from .models import (
    Attachment,
    Confidentiality,
    DeciderKind,
    TransmissionMethod,
    Item,
    ItemUserObjectPermission,
    ProgressUpdate,
    Question,
    Receiver,
    ReviewStep,
    StepAssignee,
    Transmission,
)
from .separation import handover_text
from .services.delegation import principal_ids_for

BUCKETS = ("drafts", "in_review", "returned", "waiting", "done")

# Which item states each tab of "my items" shows.
BUCKET_STATES = {
    "drafts": (Item.State.DRAFT, Item.State.WITHDRAWN),
    "in_review": (Item.State.IN_REVIEW,),
    "returned": (Item.State.RETURNED,),
    "waiting": (Item.State.APPROVED, Item.State.TRANSMITTED),
    "done": (Item.State.COMPLETED, Item.State.ARCHIVED, Item.State.CANCELLED),
}


def visible_items(user, moment=None):
    from .visibility import items_visible_to  # a real cycle: visibility imports this module (_view_granted)

    return items_visible_to(user, moment=moment)


def _receiver_count(**conditions):
    rows = Receiver.objects.filter(item=OuterRef("pk"), **conditions).order_by()
    return Subquery(rows.values(n=Func(F("pk"), function="COUNT")), output_field=IntegerField())


# Built once: annotate() resolves a copy for each query, so the lists do not
# pay for building the subqueries on every request.
RECEIVER_COUNTS = {
    "receivers_total": _receiver_count(),
    "receivers_answered": _receiver_count(state=Receiver.State.ANSWERED),
}


def _receiver_counts():
    """Annotations counting an item's receivers and those that answered, as
    correlated ``(SELECT COUNT(*) …)`` subqueries so they never multiply the
    rows of other joins (an aggregate without GROUP BY: 0 when there are none)."""
    return RECEIVER_COUNTS


# Long columns no list shows (the item page fetches them).
LIST_DEFER = ("summary", "remarks", "route_snapshot", "cancel_reason", "initiator__password")

# What the item table (_item_table.html) shows and sorts by; nothing else is
# loaded for "my items" (20 rows of four joined models are otherwise mostly
# columns nobody reads). A template reading another field would cost a query
# per row: tests/infoflow/test_list_queries.py would catch it.
ITEM_TABLE_FIELDS = (
    "id", "number", "subject", "confidentiality", "urgency", "state", "unit_id", "initiator_id",
    "submitted_at", "expected_feedback_at", "created_at",
    "unit__id", "unit__name",
    "initiator__id", "initiator__username", "initiator__first_name", "initiator__last_name",
)
# What review_inbox.html shows of a step and its item.
REVIEW_FIELDS = (
    "id", "item_id", "name", "decider", "review_round", "state", "started_at", "due_at",
    *("item__" + name for name in ITEM_TABLE_FIELDS if name not in ("expected_feedback_at", "created_at")),
    # The batch approval's review checklist applies by the item's direction and kind (loop.checklist_for_steps);
    # a step whose stage may edit the text is left out of it (views.lists.batchable_steps).
    "item__direction", "item__kind", "may_edit",
)


def _list_joins(queryset):
    return queryset.select_related("unit", "initiator", "category").defer(*LIST_DEFER)


_VIEW_PERMISSION_IDS = {}


def _view_permission_id() -> int:
    """The id of the item view permission, read once per process and passed
    as a literal: a join on auth_permission inside the grant subquery makes
    PostgreSQL guess one grant row, and a scalar subquery costs more to build
    than the probe it feeds. Keyed by the content type's id, which changes
    when a test database is flushed and the permissions are created anew."""
    content_type = ContentType.objects.get_for_model(Item)
    key = content_type.pk
    if key not in _VIEW_PERMISSION_IDS:
        _VIEW_PERMISSION_IDS[key] = Permission.objects.get(content_type=content_type, codename="view_item").pk
    return _VIEW_PERMISSION_IDS[key]


def _view_granted(user_ids, item="pk"):
    """A filter keeping rows whose item (``item``: the path to its id) one of
    ``user_ids`` holds a view grant on — rule 1 of ``items_visible_to``, and
    rule 6 when the ids include a deputy's principals.

    Written as a correlated ``(SELECT … LIMIT 1) IS NOT NULL``, one probe of
    the (user, permission, item) unique index per row: PostgreSQL keeps it a
    per-row filter instead of pulling it up into a semi-join, which added a
    relation to plan (doubling planning time) and made it guess a handful of
    rows and join the list's tables by nested loops (bench/inbox.py)."""
    grant = ItemUserObjectPermission.objects.filter(
        user_id__in=user_ids, permission_id=_view_permission_id(), content_object_id=OuterRef(item)
    ).values("pk")[:1]
    return IsNull(Subquery(grant), False)


def _acting_user_ids(user) -> list[int]:
    """The user and the principals who named them their deputy for now
    (delegation, 代理). Read with one small query and passed on as literal
    ids: the planner then probes the (user, decision) index of the
    assignments with each, where an ``OR user_id IN (subquery)`` made it
    filter every pending assignment."""
    return sorted({user.pk} | principal_ids_for(user))


def own_items(user):
    """Items the user drafted or handles as an officer of the originating
    unit — those of them ``items_visible_to`` shows, by its rules 2 and 1:
    an unrestricted item of a unit where the user is an active officer, or
    one they hold a view grant on.

    The column test comes first: PostgreSQL evaluates an OR left to right, so
    the grant probe runs only for the rest (restricted items, items drafted
    for another unit) and the query plans and runs like the bare one
    (bench/inbox.py). ``permissions.desired_grants`` gives the initiator and
    the unit's active officers a view grant in every state, so nothing of
    theirs is dropped; tests/infoflow/test_views.py checks the subset."""
    roles = roles_of(user)
    mine = Q(initiator=user)
    visible = _view_granted([user.pk])
    if roles.officer_unit_ids:
        units = sorted(roles.officer_unit_ids)
        mine |= Q(unit_id__in=units)
        visible = Q(unit_id__in=units) & ~Q(confidentiality=Confidentiality.RESTRICTED) | visible
    return Item.objects.filter(mine, visible)


def my_items(user, bucket="drafts"):
    """One tab of "my items" (drafts, in review, returned, waiting for
    answers, done), newest first, with receiver counts."""
    states = BUCKET_STATES.get(bucket, BUCKET_STATES["drafts"])
    return (
        own_items(user)
        .filter(state__in=states)
        .select_related("unit", "initiator")
        .only(*ITEM_TABLE_FIELDS)
        .annotate(**_receiver_counts())
        .order_by(F("submitted_at").desc(nulls_last=True), "-created_at", "-pk")
    )


def my_item_counts(user):
    """How many of the user's items (``own_items``) are in each tab: one
    statement counting per state, read from the indexes alone.

    ``own_items`` is (initiated by the user ∨ of one of the user's officer
    units U) ∧ ((of U ∧ unrestricted) ∨ granted to the user), counted as
    three disjoint parts, each an index-only scan (item_unit_counts,
    item_initiator_counts; issue 12): U's unrestricted items; U's
    restricted items granted to the user; the user's items of other units
    granted to them. Counted through the OR on the item's columns, every one
    of the unit's items was read from the table (2,000 heap pages for an
    officer at 100,000 items). tests/infoflow/test_views.py and
    test_list_queries.py check the counts against the tabs' rows."""
    roles = roles_of(user)
    units = sorted(roles.officer_unit_ids)
    granted = ("(SELECT g.id FROM infoflow_itemuserobjectpermission g WHERE g.content_object_id = i.id "
               "AND g.permission_id = %s AND g.user_id = %s LIMIT 1) IS NOT NULL")
    restricted = str(Confidentiality.RESTRICTED)
    grant_params = [_view_permission_id(), user.pk]
    parts, params = [], []
    if units:
        in_units = "i.unit_id IN (%s)" % ", ".join(["%s"] * len(units))
        parts += [
            f"SELECT i.state, COUNT(*) FROM infoflow_item i WHERE {in_units} AND NOT (i.confidentiality = %s) "
            "GROUP BY i.state",
            f"SELECT i.state, COUNT(*) FROM infoflow_item i WHERE {in_units} AND i.confidentiality = %s "
            f"AND {granted} GROUP BY i.state",
            f"SELECT i.state, COUNT(*) FROM infoflow_item i WHERE i.initiator_id = %s AND NOT ({in_units}) "
            f"AND {granted} GROUP BY i.state",
        ]
        params += [*units, restricted, *units, restricted, *grant_params, user.pk, *units, *grant_params]
    else:
        parts.append(f"SELECT i.state, COUNT(*) FROM infoflow_item i WHERE i.initiator_id = %s AND {granted} "
                     "GROUP BY i.state")
        params += [user.pk, *grant_params]
    per_state = {}
    if user.is_authenticated:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for state, n in cursor.fetchall():
                per_state[state] = per_state.get(state, 0) + n
    return {bucket: sum(per_state.get(str(state), 0) for state in states) for bucket, states in BUCKET_STATES.items()}


def review_inbox(user, items=None):
    """``review_rows`` with their items, units and initiators, the earliest
    due first (``review_columns``)."""
    return review_columns(review_rows(user, items))


def review_rows(user, items=None):
    """Open review steps the user must decide, the earliest due first. Pool
    stages (秘书处初审) appear for every member of the pool until one takes
    them (take_step sets the others to "not needed"). A deputy also gets the
    steps of the principals who named them for now (delegation, 代理), to
    decide on their behalf. ``items`` narrows them (the list filters).

    Driven by the (user, decision) index of the pending assignments. Every
    pending assignment on an open step carries a view grant
    (``permissions.desired_grants``; for a deputy, the principal's), so the
    rows are narrowed by those grants — rules 1 and 6 of ``items_visible_to``
    — probed per row; the whole visibility clause made PostgreSQL scan every
    open step (bench/inbox.py). tests/infoflow/test_views.py checks the
    subset, tests/infoflow/test_list_queries.py that a lost grant drops a
    restricted item."""
    if not user.is_authenticated:
        return ReviewStep.objects.none()
    acting = _acting_user_ids(user)
    pending = StepAssignee.Decision.PENDING
    if len(acting) == 1:
        # No delegation in force (the usual case): join the user's own
        # assignment — one per step (unique_assignee_per_step), so no
        # duplicates — and read taken_at from it; the cheapest form to build.
        steps = ReviewStep.objects.filter(
            state=ReviewStep.State.OPEN, assignees__user_id=user.pk, assignees__decision=pending,
        ).annotate(my_taken_at=F("assignees__taken_at"))
    else:
        # A deputy may share a step with a principal (会签): a semi-join
        # keeps each step once, the first pending assignment gives taken_at.
        mine = StepAssignee.objects.filter(user_id__in=acting, decision=pending)
        taken = mine.filter(step=OuterRef("pk")).order_by().values("taken_at")[:1]
        steps = ReviewStep.objects.filter(
            state=ReviewStep.State.OPEN, pk__in=mine.values("step_id")
        ).annotate(my_taken_at=Subquery(taken))
    steps = steps.filter(_view_granted(acting, item="item_id"))
    # Separation of duties: nobody decides on an item they initiated, not even
    # as a deputy named after the step opened (infoflow.separation).
    steps = steps.exclude(item__initiator_id=user.pk)
    if items is not None:
        steps = steps.filter(item__in=items.values("pk"))
    return steps


def review_order():
    """``review_inbox``'s order: the earliest due first (else the earliest
    opened), then by id."""
    return (Coalesce("due_at", "started_at").asc(nulls_last=True), "pk")


def review_columns(steps):
    """``steps`` (``review_rows``) as ``review_inbox`` gives them: their
    items, units and initiators joined, the columns the page shows, in
    ``review_order``."""
    return steps.select_related("item", "item__unit", "item__initiator").only(*REVIEW_FIELDS).order_by(*review_order())


def receiver_q(user):
    """The receivers a user acts for: the receiving unit's head and officers,
    a named person, and for an external unit or all staff the officers of the
    originating unit (who record the outside unit's receipt and answer)."""
    roles = roles_of(user)
    q = Q(kind=Receiver.Kind.USER, user=user)
    acting_units = roles.headed_unit_ids | roles.officer_unit_ids
    if acting_units:
        q |= Q(kind=Receiver.Kind.UNIT, unit_id__in=sorted(acting_units))
    if roles.officer_unit_ids:
        # The originating unit is tested on the item by a probe of its
        # primary key inside the arm (EXISTS), not on the joined item: with
        # the item's column inside the OR PostgreSQL could not read the arms
        # from the receipt's indexes and filtered every open receipt of the
        # organisation (20,000 at 100,000 items; issue 12). With it, a
        # BitmapOr of the user index and the partial indexes of open receipts
        # (receiver_open_unit, receiver_open_external) reads only the rows.
        originating = Item.objects.filter(pk=OuterRef("item_id"), unit_id__in=sorted(roles.officer_unit_ids))
        q |= Q(Exists(originating), kind__in=(Receiver.Kind.EXTERNAL, Receiver.Kind.ALL_STAFF))
    return q


RECEIVER_OPEN_STATES = (Receiver.State.SENT, Receiver.State.ACKNOWLEDGED)

# What receiver_inbox.html shows of a receipt (its row and ``Receiver.label``)
# and of its item; the item's long texts and the joined rows' other columns
# are not loaded (issue 12).
RECEIVED_FIELDS = (
    "id", "item_id", "kind", "unit_id", "user_id", "external_unit_id", "contact_id", "state",
    "response_due_at", "answer_due_at",
    "item__id", "item__number", "item__subject", "item__urgency", "item__state", "item__unit_id",
    "item__initiator_id", "item__unit__id", "item__unit__name",
    "item__initiator__id", "item__initiator__username", "item__initiator__first_name", "item__initiator__last_name",
    "unit__id", "unit__name", "user__id", "user__username", "user__first_name", "user__last_name",
)


def receiver_rows(user, items=None, include_answered=False):
    """The receiver rows of ``receiver_inbox``, unordered, nothing joined:
    what its count reads (list_pages.receiver_inbox_page)."""
    states = RECEIVER_OPEN_STATES + ((Receiver.State.ANSWERED,) if include_answered else ())
    rows = Receiver.objects.filter(receiver_q(user), state__in=states)
    if items is None:
        # The visibility rule on the row's own copies of its item's columns
        # (models.ItemCopies, kept by triggers) with the grant probed per row,
        # not "item in the set of every visible item" (PostgreSQL scanned the
        # whole item table for a user's few receipts) nor a join to each
        # row's item (every open receipt of the unit joined to its item to
        # count them: 4,069 at 1,000,000 items, 93 ms; issue 12).
        from .visibility import visibility_q  # a real cycle: visibility imports this module (_view_granted)

        condition = visibility_q(user, copies=True, granted_to=_acting_user_ids(user))
        if condition is None:
            return Receiver.objects.none()
        rows = rows.filter(condition)
    else:
        rows = rows.filter(item__in=items.values("pk"))
    return rows.exclude(item_state__in=(Item.State.CANCELLED, Item.State.WITHDRAWN))


def received_order():
    """``receiver_inbox``'s order: the earliest due first (the answer's limit,
    else the receipt's), then by id."""
    return (Coalesce("answer_due_at", "response_due_at").asc(nulls_last=True), "pk")


def receiver_inbox(user, items=None, include_answered=False):
    """Receiver rows waiting for this user's receipt or answer, the earliest
    due first."""
    return received_columns(receiver_rows(user, items, include_answered))


def received_columns(rows):
    """``rows`` (receivers) as ``receiver_inbox`` gives them: their items,
    units and people joined, the columns the page shows, whether a question
    is open, in ``received_order``."""
    open_questions = Question.objects.filter(receiver=OuterRef("pk"), state=Question.State.OPEN)
    return (
        # External units and their contacts are read only for the page's
        # rows that name one (none, no query): joined, their two tables made
        # eight to plan, which cost PostgreSQL 5–10 ms a page (issue 12).
        rows.select_related("item", "item__unit", "item__initiator", "unit", "user")
        .prefetch_related(Prefetch("external_unit", ExternalUnit.objects.only("id", "name")),
                          Prefetch("contact", ExternalContact.objects.only("id", "name")))
        .only(*RECEIVED_FIELDS)
        .annotate(has_open_question=Exists(open_questions))
        .order_by(*received_order())
    )


def incoming_register(user):
    """Incoming documents (收文) the user may see, newest first."""
    return (
        _list_joins(visible_items(user).filter(direction="incoming"))
        .annotate(**_receiver_counts())
        .order_by("-received_at", "-pk")
    )


def home_counts(user):
    """The numbers on the home cards: my items per tab, open reviews (and how
    many are overdue), receipts and answers waiting. A few aggregate queries,
    whatever the number of rows."""
    now = timezone.now()
    counts = {"my": my_item_counts(user)}
    reviews = review_inbox(user).order_by().aggregate(
        total=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now))
    )
    counts["reviews"] = reviews
    received = receiver_inbox(user).order_by().aggregate(
        total=Count("pk"),
        overdue=Count(
            "pk",
            filter=Q(answer_due_at__lt=now) | Q(state=Receiver.State.SENT, response_due_at__lt=now),
        ),
    )
    counts["received"] = received
    counts["show_incoming"] = roles_of(user).is_secretariat
    return counts


# --- the item page ----------------------------------------------------------


def item_detail(user, moment=None):
    """Items the user may see, with what the item page shows joined; the view
    fetches one with get_object_or_404 so an invisible item is a 404.
    ``moment`` (now by default): when delegations are in force."""
    return visible_items(user, moment=moment).select_related("unit", "initiator", "category", "route_rule")


def item_steps(item):
    """Every step of every round with its assignees and their users."""
    # The assignees with their users joined: one query for them, not one
    # each for the assignees, their users and who decided (issue 12). Each
    # step's (each assignee's) rows in the models' order, by pk: ordered by
    # their id, not by the step's ordering, which joined the steps and the item.
    assignees = StepAssignee.objects.select_related("user", "decided_by").order_by("step_id", "pk")
    return (
        ReviewStep.objects.filter(item=item)
        # The review checklist as ticked with each decision (issue 19 §8).
        .prefetch_related(Prefetch("assignees", queryset=assignees),
                          Prefetch("assignees__ticks", queryset=ChecklistTick.objects.order_by("assignee_id", "pk")))
        .order_by("review_round", "stage_index")
    )


def _steps(item_id):
    return ReviewStep.objects.filter(item_id=item_id).order_by("review_round", "stage_index")


def _step_assignees(item_id):
    # Each step's rows in the model's order (by pk), as item_steps' prefetch.
    return (StepAssignee.objects.filter(step__item_id=item_id).select_related("user", "decided_by")
            .order_by("step_id", "pk"))


def _step_ticks(item_id):
    return ChecklistTick.objects.filter(assignee__step__item_id=item_id).order_by("assignee_id", "pk")


def item_steps_read(item) -> list[ReviewStep]:
    """``list(item_steps(item))`` for the item page: the same rows, the
    assignees and their ticks handed to each as its prefetch, through SQL
    compiled once per process (infoflow.compiled; the same three queries,
    fewer when there are no steps, assignees or ticks)."""
    steps = compiled.rows(_steps, item.pk)
    assignees = compiled.rows(_step_assignees, item.pk) if steps else []
    # The page's probe (infoflow.page_probes) says when no decision ticked a checklist.
    ticks = compiled.rows(_step_ticks, item.pk) if assignees and getattr(item, "has_ticks", True) else []
    compiled.attach(steps, "assignees", assignees)
    compiled.attach(assignees, "ticks", ticks)
    return steps


def item_receivers(item):
    return (
        Receiver.objects.filter(item=item)
        .select_related("unit", "user", "external_unit", "contact", "acknowledged_by", "answered_by")
        .prefetch_related("attachments")
        .order_by("pk")
    )


def _receivers(item_id):
    return item_receivers(item_id).prefetch_related(None)


def _questions(item_id):
    return item_questions(item_id)


def _transmissions(item_id):
    return item_transmissions(item_id).prefetch_related(None)


def _updates(item_id):
    return item_updates(item_id)


def _attachments(item_id):
    return Attachment.objects.filter(item_id=item_id).select_related("uploaded_by").order_by("uploaded_at", "pk")


def item_attachments_read(item) -> list[Attachment]:
    """Every file of the item (its own, the receivers' answers, the
    transmissions' evidence) with who uploaded it, as
    ``item.attachments.select_related("uploaded_by")`` in upload order reads
    them (each row's ``item`` the item), through SQL compiled once per process."""
    rows = compiled.rows(_attachments, item.pk)
    for row in rows:
        Attachment.item.field.set_cached_value(row, item)
    return rows


def item_rows_read(item, kind: str) -> list:
    """The item page's rows of ``kind`` ("questions", "transmissions"
    without their attachments' prefetch, "updates"), as ``item_<kind>(item)``
    reads them, through SQL compiled once per process."""
    return compiled.rows({"questions": _questions, "transmissions": _transmissions, "updates": _updates}[kind], item.pk)


def item_receivers_read(item) -> list[Receiver]:
    """``item_receivers(item)`` without the attachments' prefetch (the item
    page hands each row its files), through SQL compiled once per process."""
    return compiled.rows(_receivers, item.pk)


def item_questions(item):
    return (
        Question.objects.filter(item=item)
        .select_related("raised_by", "replied_by", "responsible_unit", "receiver")
        .order_by("raised_at", "pk")
    )


def item_transmissions(item):
    return (
        Transmission.objects.filter(item=item)
        .select_related("sent_by")
        .prefetch_related("attachments")
        .order_by("sent_at", "pk")
    )


def item_updates(item):
    return ProgressUpdate.objects.filter(item=item).select_related("posted_by", "receiver").order_by("posted_at", "pk")


# --- the timeline -----------------------------------------------------------


def _changes(rows):
    """Yield (row, previous version of the same object or None) for history
    rows ordered by object and date."""
    previous = {}
    for row in rows:
        yield row, previous.get(row.id)
        previous[row.id] = row


def _event(at, who, what, detail="", deadline=None, done_at=None):
    late = None
    if deadline is not None:
        late = (done_at or at) > deadline
    return {"at": at, "who": who, "what": what, "detail": detail, "deadline": deadline, "late": late}


# The history read by item_timeline, each compiled once per process
# (infoflow.compiled; issue 12): a module-level builder per query.


def _item_history(item_id):
    return (Item.history.model.objects.filter(id=item_id).select_related("history_user")
            .order_by("history_date", "history_id"))


def _step_history(item_id):
    return (ReviewStep.history.model.objects.filter(item_id=item_id).select_related("history_user")
            .order_by("id", "history_date", "history_id"))


def _assignee_history(item_id):
    # The assignees of every step the item's step history names (the steps
    # of _step_history's rows), in one statement.
    steps = ReviewStep.history.model.objects.filter(item_id=item_id).values("id")
    return (StepAssignee.history.model.objects.filter(step_id__in=steps)
            .select_related("history_user", "user", "decided_by")
            .order_by("id", "history_date", "history_id"))


def _receiver_history(item_id):
    return (Receiver.history.model.objects.filter(item_id=item_id)
            .select_related("history_user", "unit", "user", "external_unit", "contact", "acknowledged_by",
                            "answered_by")
            .order_by("id", "history_date", "history_id"))


def item_timeline(item, transmissions=None, questions=None, updates=None):
    """The item's whole story from django-simple-history: who did what and
    when, with opinions, deadlines and late marks, oldest first. Seven
    queries whatever the length of the story.

    ``transmissions``, ``questions`` and ``updates``, the item's rows when the
    caller read them (the item page), spare reading the history of a kind
    the item has none of: these rows are never deleted (no service, no admin
    page deletes them), so none now means no history either (issue 12)."""
    events = []
    state_labels = dict(Item.State.choices)

    item_rows = compiled.rows(_item_history, item.pk)
    for row, before in _changes(item_rows):
        who = row.history_user
        if before is None:
            what = _("登记收文") if row.direction == "incoming" else _("创建草稿")
            events.append(_event(row.history_date, who, what))
            continue
        if row.state != before.state:
            label = state_labels.get(row.state, row.state)
            if row.state == Item.State.IN_REVIEW and before.state != Item.State.IN_REVIEW:
                what = _("提交审核（信息编号 %(number)s）") % {"number": row.number} if row.number else _("提交审核")
            elif row.state == Item.State.CANCELLED:
                what = _("作废")
            else:
                what = _("状态变为“%(state)s”") % {"state": label}
            detail = row.cancel_reason if row.state == Item.State.CANCELLED else ""
            deadline = row.expected_feedback_at if row.state == Item.State.COMPLETED else None
            events.append(_event(row.history_date, who, what, detail, deadline))
        elif before.state in (Item.State.DRAFT, Item.State.RETURNED, Item.State.WITHDRAWN) and (
            row.subject != before.subject or row.summary != before.summary
        ):
            events.append(_event(row.history_date, who, _("修改内容")))
        # A reviewer's edit during review: shown below from its diff rows (publication.ItemEdit).

    step_rows = compiled.rows(_step_history, item.pk)
    step_names = {}
    for row, before in _changes(step_rows):
        step_names[row.id] = (data_label(row.name), row.review_round, row.due_at)
        # Who stood aside and who decides instead (separation of duties,
        # account deactivated): each handover once, when it was recorded,
        # after the stage's start when both came in one save.
        moved = [
            _event(row.history_date, None, _("环节“%(name)s”转交") % {"name": data_label(row.name)}, handover_text(entry))
            for entry in (row.handovers or [])[len(before.handovers or []) if before is not None else 0:]
        ]
        changed = before is None or row.state != before.state
        if not changed:
            events += moved
            continue
        round_label = _("第 %(round)s 轮") % {"round": row.review_round}
        if row.state == ReviewStep.State.OPEN:
            events.append(
                _event(
                    row.started_at or row.history_date, None,
                    _("环节“%(name)s”开始（%(round)s）") % {"name": data_label(row.name), "round": round_label},
                    deadline=row.due_at, done_at=row.started_at or row.history_date,
                )
            )
            events[-1]["late"] = None  # the start of a stage is never late; its decision may be
        elif row.state in (ReviewStep.State.APPROVED, ReviewStep.State.RETURNED):
            what = _("环节“%(name)s”通过") if row.state == ReviewStep.State.APPROVED else _("环节“%(name)s”退回")
            events.append(
                _event(row.closed_at or row.history_date, None, what % {"name": data_label(row.name)},
                       deadline=row.due_at, done_at=row.closed_at)
            )
        elif row.state == ReviewStep.State.SKIPPED and before is not None:
            events.append(_event(row.history_date, row.history_user, _("环节“%(name)s”撤销") % {"name": data_label(row.name)}))
        events += moved

    assignee_rows = compiled.rows(_assignee_history, item.pk) if step_names else []
    decisions = dict(StepAssignee.Decision.choices)
    for row, before in _changes(assignee_rows):
        name, _round, due_at = step_names.get(row.step_id, ("", 0, None))
        if row.taken_at and (before is None or not before.taken_at):
            events.append(_event(row.taken_at, row.user, _("领取环节“%(name)s”") % {"name": name}))
        if row.decision in (StepAssignee.Decision.APPROVED, StepAssignee.Decision.RETURNED) and (
            before is None or before.decision != row.decision
        ):
            who = row.decided_by or row.user
            what = _("%(stage)s：%(decision)s") % {"stage": name, "decision": decisions[row.decision]}
            events.append(
                _event(row.decided_at or row.history_date, who, what, row.opinion, due_at, row.decided_at)
            )

    receiver_rows = compiled.rows(_receiver_history, item.pk)
    for row, before in _changes(receiver_rows):
        label = _receiver_label(row)
        if row.sent_at and (before is None or not before.sent_at):
            events.append(
                _event(row.sent_at, row.history_user, _("传递给 %(receiver)s") % {"receiver": label},
                       deadline=row.response_due_at)
            )
            events[-1]["late"] = None
        if row.acknowledged_at and (before is None or not before.acknowledged_at):
            events.append(
                _event(row.acknowledged_at, row.acknowledged_by or row.history_user,
                       _("%(receiver)s 签收") % {"receiver": label}, deadline=row.response_due_at,
                       done_at=row.acknowledged_at)
            )
        if row.answered_at and (before is None or not before.answered_at):
            detail = row.answer_result
            if row.answer_next_steps:
                detail = "%s\n%s%s" % (detail, _("后续措施："), row.answer_next_steps)
            events.append(
                _event(row.answered_at, row.answered_by or row.history_user,
                       _("%(receiver)s 反馈") % {"receiver": label}, detail,
                       deadline=row.answer_due_at, done_at=row.answered_at)
            )

    methods = dict(TransmissionMethod.choices)
    transmission_rows = [] if transmissions is not None and not transmissions else (
        Transmission.history.model.objects.filter(item_id=item.pk, history_type="+")
        .select_related("sent_by")
        .order_by("history_date")
    )
    for row in transmission_rows:
        used = "+".join(str(methods.get(m, m)) for m in row.methods.split(",") if m)
        detail = "\n".join(part for part in (row.note, row.written_record) if part)
        events.append(_event(row.sent_at, row.sent_by, _("传递（%(methods)s）") % {"methods": used}, detail))

    question_rows = [] if questions is not None and not questions else (
        Question.history.model.objects.filter(item_id=item.pk)
        .select_related("raised_by", "replied_by", "responsible_unit")
        .order_by("id", "history_date", "history_id")
    )
    kinds = dict(Question.Kind.choices)
    for row, before in _changes(question_rows):
        if before is None:
            what = _("提出%(kind)s，责任部门：%(unit)s") % {
                "kind": kinds.get(row.kind, row.kind), "unit": row.responsible_unit.name,
            }
            events.append(_event(row.raised_at, row.raised_by, what, row.text, row.due_at))
            events[-1]["late"] = None
        if row.replied_at and (before is None or not before.replied_at):
            events.append(
                _event(row.replied_at, row.replied_by, _("答复%(kind)s") % {"kind": kinds.get(row.kind, row.kind)},
                       row.reply, row.due_at, row.replied_at)
            )

    update_rows = [] if updates is not None and not updates else (
        ProgressUpdate.history.model.objects.filter(item_id=item.pk, history_type="+")
        .select_related("posted_by")
        .order_by("history_date")
    )
    for row in update_rows:
        events.append(_event(row.posted_at, row.posted_by, _("进展"), row.text))

    # Reviewers' edits as readable diffs (seed 002, issue 16: publication.services.edits).
    for edit in edit_events(item):
        events.append(_event(edit["at"], edit["who"], _("审核中修改文稿"), edit["detail"]))
        events[-1]["diff"] = edit["diff"]

    events.sort(key=lambda e: e["at"])
    return events


def _receiver_label(row):
    if row.kind == Receiver.Kind.UNIT and row.unit_id:
        return row.unit.name
    if row.kind == Receiver.Kind.USER and row.user_id:
        return row.user.get_full_name() or row.user.username
    if row.kind == Receiver.Kind.EXTERNAL and row.external_unit_id:
        name = row.external_unit.name
        return "%s（%s）" % (name, row.contact.name) if row.contact_id else name
    return _("全体员工")
