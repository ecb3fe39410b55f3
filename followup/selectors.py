"""Reads for circulation and instructions. Every list keeps to
``items_visible_to`` (a reader sees a circulated item through the grant
``permissions.desired_grants`` gives them via ``reader_ids``); the reading
inbox states its rule on each row's own item (``visibility_q``)."""
from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from infoflow import compiled
from infoflow.selectors import _acting_user_ids
from infoflow.visibility import items_visible_to, visibility_q
from liaison.pickers import system_accounts_q
from officers.roles import roles_of

from .models import Circulation, CirculationReader, Instruction, InstructionTask, ReadReceipt, TaskChase


def reader_ids(item) -> set[int]:
    """Everyone the item was circulated to and every owner of a task of its
    instructions: on its path, so they see it (registered with
    infoflow.extensions as a viewer source)."""
    readers = set(CirculationReader.objects.filter(item_id=item.pk).values_list("user_id", flat=True))
    return readers | set(InstructionTask.objects.filter(item_id=item.pk).values_list("owner_id", flat=True))


def completion_blocker(item) -> str | None:
    """Open instruction tasks hold the item open (registered with
    infoflow.extensions)."""
    count = InstructionTask.objects.filter(item_id=item.pk, state=InstructionTask.State.OPEN).count()
    if count:
        return _("尚有 %(count)s 项批示任务未完成或取消，不能办结。") % {"count": count}
    return None


def reading_inbox(user, *, done: bool = False, query: str = "") -> QuerySet:
    """The user's 待阅 (``done``: 已阅) list, newest circulation first, with
    the item and who sent it; only items the user may see."""
    # The visibility rule on each row's own item (a join), with the grant as one
    # probe of the grant index per row: "item in the set of every visible
    # item" made PostgreSQL build that set from the whole item table (a
    # parallel sequential scan, 70 ms at 100,000 items) for a user's few
    # circulations (issue 12).
    condition = visibility_q(user, prefix="item__", granted_to=_acting_user_ids(user))
    if condition is None:
        return CirculationReader.objects.none()
    rows = (
        CirculationReader.objects.filter(user=user, read_at__isnull=not done)
        .filter(condition)
        .select_related("item", "item__unit", "circulation", "circulation__sent_by")
        .defer("item__summary", "item__remarks", "item__route_snapshot")
        .order_by("-circulation__sent_at", "-pk")
    )
    if query:
        rows = rows.filter(Q(item__subject__icontains=query) | Q(item__number__icontains=query))
    return rows


# What the reading inbox shows of a row (followup_tags.reading_rows): plain
# values, not five model instances a row (issue 12).
READING_ROW_FIELDS = (
    "id", "item_id", "read_at", "item__number", "item__subject", "item__unit__name", "circulation__note",
    "circulation__sent_at", "circulation__sent_by__username", "circulation__sent_by__first_name",
    "circulation__sent_by__last_name",
)


def reading_rows(user, *, done: bool = False, query: str = "") -> QuerySet:
    """``reading_inbox`` as the page's rows: dicts of ``READING_ROW_FIELDS``."""
    return reading_inbox(user, done=done, query=query).values(*READING_ROW_FIELDS)


def unread_count(user) -> int:
    """For the home card and the menu badge."""
    if user is None or not user.is_authenticated:
        return 0
    return reading_inbox(user).count()


def item_readers(item) -> QuerySet:
    """Everyone the item was circulated to, with whether and when they read."""
    return (CirculationReader.objects.filter(item=item)
            .select_related("user", "via_unit", "circulation", "circulation__sent_by")
            .order_by("read_at", "circulation__sent_at", "pk"))


def items_reading_visible_to(user) -> QuerySet:
    """Items whose reading (who was circulated, who has read) ``user`` may
    see: ``permissions.sees_reading`` as a queryset — the handlers (initiator,
    active officers of the originating unit), the secretariat, supervision and
    whoever circulated the item; always within ``items_visible_to``. For the
    admin's circulation, reader and receipt lists."""
    items = items_visible_to(user)
    if user is None or not user.is_authenticated or not user.is_active:
        return items.none()
    roles = roles_of(user)
    if roles.is_secretariat or roles.is_supervision:
        return items
    sent = Circulation.objects.filter(item=OuterRef("pk"), sent_by_id=user.pk)
    return items.filter(Q(initiator_id=user.pk) | Q(unit_id__in=roles.officer_unit_ids) | Q(Exists(sent)))


def all_staff_reading(item) -> QuerySet:
    """For a notice to all staff: every active member of staff (system
    accounts left out, ``liaison.pickers.system_accounts_q``), with their
    read receipt's time (``read_at``, None while unread), unread first."""
    receipt = ReadReceipt.objects.filter(item=item, user=OuterRef("pk"))
    # System accounts (the installer's admin, service accounts) are nobody's
    # staff: neither in the total nor among the unread.
    return (get_user_model().objects.filter(is_active=True, profile__isnull=False)
            .exclude(system_accounts_q())
            .annotate(has_read=Exists(receipt))
            .order_by("has_read", "username"))


def all_staff_read_count(item) -> int:
    """How many of ``all_staff_reading(item)`` have read it."""
    return all_staff_reading(item).filter(has_read=True).count()


def receipt_times(item, user_ids) -> dict[int, object]:
    return dict(ReadReceipt.objects.filter(item=item, user_id__in=user_ids).values_list("user_id", "read_at"))


def has_read(user, item) -> bool:
    return ReadReceipt.objects.filter(item=item, user=user).exists()


def _instructions(item_id):
    return Instruction.objects.filter(item_id=item_id).select_related("author").order_by("written_at", "pk")


def _instruction_tasks(item_id):
    # The tasks of the item's instructions with their owners joined, in the
    # model's order (each instruction's in the same order as a prefetch).
    return (InstructionTask.objects.filter(instruction__item_id=item_id).select_related("owner")
            .order_by("due_at", "pk"))


def _task_chases(item_id):
    return TaskChase.objects.filter(task__instruction__item_id=item_id).order_by("task_id", "-sent_at")


def instructions_of(item) -> list:
    """The item's instructions, each with its tasks (``instruction.tasks.all()``)
    and their owners, each task with its chases (``task.chases.all()``): three
    queries at most, their SQL compiled once per process (infoflow.compiled;
    issue 12), none for tasks or chases when there are no instructions or tasks."""
    instructions = compiled.rows(_instructions, item.pk)
    tasks = compiled.rows(_instruction_tasks, item.pk) if instructions else []
    chases = compiled.rows(_task_chases, item.pk) if tasks else []
    compiled.attach(instructions, "tasks", tasks)
    compiled.attach(tasks, "chases", chases)
    return instructions


def tasks_visible_to(user) -> QuerySet:
    """Tasks of items the user may see: the visibility rule on each task's
    own item, the grant one index probe per row, as ``reading_inbox`` states
    it — "item in every visible item" built that set from the whole item
    table for a user's few tasks (/followup/tasks/ 37× the floor at 100,000
    items; issue 12)."""
    condition = visibility_q(user, prefix="item__", granted_to=_acting_user_ids(user))
    if condition is None:
        return InstructionTask.objects.none()
    return InstructionTask.objects.filter(condition)


def my_tasks(user, *, done: bool = False) -> QuerySet:
    """Tasks the user owns (open ones, or ``done``: finished and cancelled),
    or for the secretariat and leaders those they follow as well."""
    roles = roles_of(user)
    mine = Q(owner=user) | Q(instruction__author=user)
    if roles.is_secretariat or roles.is_supervision:
        mine = Q()
    states = [InstructionTask.State.OPEN] if not done else [InstructionTask.State.DONE,
                                                            InstructionTask.State.CANCELLED]
    return (tasks_visible_to(user).filter(mine, state__in=states)
            .select_related("item", "owner", "unit", "instruction__author")
            .defer("item__summary", "item__remarks", "item__route_snapshot")
            .order_by("due_at", "pk"))


# What the task list shows of a task (followup_tags.task_rows).
TASK_ROW_FIELDS = (
    "id", "what", "due_at", "state", "item__number", "owner__username", "owner__first_name", "owner__last_name",
    "unit__name", "instruction__author__username", "instruction__author__first_name",
    "instruction__author__last_name",
)


def task_rows(user, *, done: bool = False) -> QuerySet:
    """``my_tasks`` as the list's rows: dicts of ``TASK_ROW_FIELDS`` (plain
    values, not five model instances a row; issue 12)."""
    return my_tasks(user, done=done).values(*TASK_ROW_FIELDS)


def _task_rows(shape, _permission, done, *ids) -> QuerySet:
    from infoflow.stand_ins import stand_in_user

    return task_rows(stand_in_user(shape, ids), done=done)


def task_page(request, done: bool):
    """The page of ``task_rows(request.user, done=done)`` that
    ``paginate_counted`` gives, through its SQL compiled once per kind of
    user (``infoflow.list_pages``; issue 12: building and compiling the
    visibility rule and its joins was most of the page's Python), or None
    when the user acts for a principal or is inactive (the queryset way)."""
    from infoflow.list_pages import compiled_user
    from infoflow.selectors import _view_permission_id
    from infoflow.views.common import paginate_compiled

    user = request.user
    found = compiled_user(user, _acting_user_ids(user))
    if found is None:
        return None
    shape, ids = found
    return paginate_compiled(request, _task_rows, ids, shape=(shape, _view_permission_id(), done),
                             fallback=lambda: task_rows(user, done=done))


def open_task_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return InstructionTask.objects.filter(owner=user, state=InstructionTask.State.OPEN).count()


def home_counts_select(sql, user, acting: list[int], now) -> tuple[str, int, Callable[[tuple], dict]]:
    """``home_counts``'s one-row statement for an authenticated ``user``, its
    parameters written to ``sql`` (``infoflow.home_counts.SqlParams``), the
    number of its columns and the function that makes the counts of its row: for the home page's one
    statement of every card (portal.home_figures) and for ``home_counts``."""
    from infoflow.home_counts import visible_sql  # the home cards' plain statements

    parts = [
        f"(SELECT COUNT(*) AS open, COUNT(*) FILTER (WHERE t.due_at < {sql.value(now)}) AS late "
        f"FROM followup_instructiontask t WHERE t.owner_id = {sql.value(user.pk)} "
        f"AND t.state = {sql.value(InstructionTask.State.OPEN)}) tasks"
    ]
    if user.is_active:  # visibility_q: an inactive user sees nothing, so has nothing to read
        visible = visible_sql(sql, user, roles_of(user), acting)
        parts.append(
            f"(SELECT COUNT(*) AS unread FROM followup_circulationreader c JOIN infoflow_item i ON i.id = c.item_id "
            f"WHERE c.user_id = {sql.value(user.pk)} AND c.read_at IS NULL AND {visible}) reading"
        )

    def finish(row) -> dict:
        return {"unread": row[2] if user.is_active else 0, "tasks": row[0], "late": row[1]}

    return "SELECT * FROM " + " CROSS JOIN ".join(parts), 3 if user.is_active else 2, finish


def home_counts(user, acting: list[int] | None = None) -> dict:
    """{"unread": 待阅 count, "tasks": open tasks the user owns, "late": of them past due}.

    One plain statement (``unread_count`` and the tasks' aggregate as the
    ORM built them cost the home page about 5 ms of Python; issue 12), the
    unread rows kept to ``items_visible_to`` as ``reading_inbox`` keeps them:
    the visibility rule on each row's own item. ``acting``: the user's and
    their principals' ids when the caller read them. The home page runs the
    same statement as part of its one statement of every card
    (portal.home_figures). tests/followup/test_home_counts.py checks it
    against ``unread_count`` and the task list."""
    from infoflow.home_counts import SqlParams  # the home cards' plain statements

    if user is None or not user.is_authenticated:
        return {"unread": 0, "tasks": 0, "late": 0}
    acting = _acting_user_ids(user) if acting is None and user.is_active else (acting or [])
    sql = SqlParams()
    select, _, finish = home_counts_select(sql, user, acting, timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(select, sql.params)
        return finish(cursor.fetchone())
