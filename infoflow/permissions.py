"""Who may do what to an item, and the per-item grants behind it.

Predicates (``can_edit``, ``can_decide``…) answer for one user and one item,
step or receiver; services call them after the state check and raise
``NotAllowed`` when they say no. Hiding a button in a template is convenience
only.

Grants are django-guardian object permissions stored in the direct foreign-key
tables (``ItemUserObjectPermission``). The services never hand-pick grants:
after each transition they call ``sync_item_grants(item)``, which computes who
is on the item's path *now* and adds or removes rows so the table matches:

* the initiator and the originating unit's active officers: view + handle;
* every assignee of a review step that started and was not revoked
  (open, approved or returned steps): view — so a reviewer sees the item from
  the moment their stage opens, and a withdrawn item disappears again from
  the inbox of a reviewer who never acted on it;
* once transmitted, each receiving unit's head and active officers, and each
  person receiver: view + receive;
* the head and officers of a unit named responsible in a question: view.

Only the three item permissions are touched, so a grant made by hand in the
admin console (e.g. ``change_item``) stays.
"""
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from liaison.apps import display_name
from officers.models import Officer, OrgUnit
from officers.roles import roles_of

from . import extensions
from .models import Escalation, FollowTask, Item, ItemUserObjectPermission, Receiver, ReviewStep, StepAssignee
from .separation import bar_message, decision_bar
from .services.delegation import principal_ids_for

VIEW = "view_item"
HANDLE = "handle_item"
RECEIVE = "receive_item"
ITEM_PERMS = (VIEW, HANDLE, RECEIVE)

EDITABLE_STATES = {Item.State.DRAFT, Item.State.RETURNED, Item.State.WITHDRAWN}
SUBMITTABLE_STATES = EDITABLE_STATES


# --- who is who ----------------------------------------------------------------


def is_unit_officer(user, unit_id) -> bool:
    return unit_id in roles_of(user).officer_unit_ids


def is_handler(user, item) -> bool:
    """The initiator or an active officer of the originating unit: the people
    who carry the item through the loop for its department."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return item.initiator_id == user.pk or is_unit_officer(user, item.unit_id)


# --- predicates ----------------------------------------------------------------


def can_edit(user, item) -> bool:
    """Handlers edit drafts and returned or withdrawn items; during an open
    secretariat stage marked "may edit" its assignee may edit the text too
    (domain: the initial reviewer edits, the change is kept in the history)."""
    if item.state in EDITABLE_STATES:
        return is_handler(user, item)
    if item.state == Item.State.IN_REVIEW and item.current_stage is not None:
        return StepAssignee.objects.filter(
            step__item=item,
            step__review_round=item.review_round,
            step__stage_index=item.current_stage,
            step__state=ReviewStep.State.OPEN,
            step__may_edit=True,
            user_id=getattr(user, "pk", None),
            decision=StepAssignee.Decision.PENDING,
        ).exists()
    return False


def can_submit(user, item) -> bool:
    return item.state in SUBMITTABLE_STATES and is_handler(user, item)


def _pool_taker(step):
    return next((a for a in step.assignees.all() if a.taken_at is not None), None)


def acting_assignee(user, assignees, principal_ids=None):
    """The assignment ``user`` acts on among ``assignees``: their own pending
    one, else a pending one of a principal who delegated to them now
    (services.delegation), else their own (decided) one, else None."""
    own = next((a for a in assignees if a.user_id == user.pk), None)
    if own is not None and own.decision == StepAssignee.Decision.PENDING:
        return own
    pending_others = [a for a in assignees if a.user_id != user.pk and a.decision == StepAssignee.Decision.PENDING]
    if pending_others:
        if principal_ids is None:
            principal_ids = principal_ids_for(user)
        deputised = next((a for a in pending_others if a.user_id in principal_ids), None)
        if deputised is not None:
            return deputised
    return own


def can_decide(user, assignee_or_step) -> bool:
    """Only a pending assignee of an open step decides it, or their deputy
    during an active delegation; on a pool stage only the one who took it (or
    anyone of the pool while nobody has)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if isinstance(assignee_or_step, StepAssignee):
        step = assignee_or_step.step
        mine = acting_assignee(user, [assignee_or_step])
    else:
        step = assignee_or_step
        mine = acting_assignee(user, step.assignees.all())
    if mine is None or step.state != ReviewStep.State.OPEN or mine.decision != StepAssignee.Decision.PENDING:
        return False
    if step.decider == "secretariat_pool":
        taker = _pool_taker(step)
        if not (taker is None or taker.user_id == mine.user_id):
            return False
    return _separation_allows(user, step)


def _separation_allows(user, step) -> bool:
    """Nobody decides on an item they initiated or drafted, nor two
    consecutive stages of an external item (infoflow.separation)."""
    return decision_bar(user, step) is None


def can_take(user, step) -> bool:
    if step.state != ReviewStep.State.OPEN or step.decider != "secretariat_pool":
        return False
    if _pool_taker(step) is not None:
        return False
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    mine = acting_assignee(user, step.assignees.all())
    return mine is not None and mine.decision == StepAssignee.Decision.PENDING and _separation_allows(user, step)


def can_transmit(user, item) -> bool:
    """Handlers transmit an approved item, and record a further method used
    on a transmitted one (an item the portal sent on submission, then phoned)."""
    return item.state in (Item.State.APPROVED, Item.State.TRANSMITTED) and is_handler(user, item)


def can_receive(user, receiver) -> bool:
    """Who acknowledges and answers for a receiver: the head or an active
    officer of a receiving unit, the person receiver, and for an external unit
    (or all staff) the item's own handlers, who record it for them."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if receiver.kind == Receiver.Kind.UNIT:
        roles = roles_of(user)
        return receiver.unit_id in roles.officer_unit_ids or receiver.unit_id in roles.headed_unit_ids
    if receiver.kind == Receiver.Kind.USER:
        return receiver.user_id == user.pk
    return is_handler(user, receiver.item)


def can_cancel(user, item) -> bool:
    if not item.can_move_to(Item.State.CANCELLED):
        return False
    return is_handler(user, item) or roles_of(user).is_secretariat


def can_register_incoming(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active and roles_of(user).is_secretariat


def can_answer_question(user, question) -> bool:
    roles = roles_of(user)
    unit_id = question.responsible_unit_id
    return (
        unit_id in roles.officer_unit_ids
        or unit_id in roles.headed_unit_ids
        or is_handler(user, question.item)
    )


# --- refusals: the 403 page says who may -----------------------------------------
#
# Each action page (its GET and its POST) asks ``refusal`` once, after the
# item was fetched through ``items_visible_to`` (404 otherwise): None means go
# on, a sentence means 403 with that sentence — it names who may do it, in the
# user's words, and says nothing the user may not see. The services check
# again (``NotAllowed``); the predicates above decide both.


def may_draft(user) -> bool:
    """Who gets 新建信息: an officer or head of a unit, the secretariat (any
    unit), a superuser (infoflow.views.editing.drafting_units)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    roles = roles_of(user)
    return bool(roles.officer_unit_ids or roles.headed_unit_ids or roles.is_secretariat or user.is_superuser)


def _names(users):
    return "、".join(display_name(u) for u in users)


def _deciders(step):
    return _names(a.user for a in step.assignees.select_related("user"))


def refusal(user, action, item, *, step=None, receiver=None):
    """None when ``user`` may do ``action`` to ``item`` now, else why not and
    who may (for the 403 page). ``action``: edit, withdraw, cancel, transmit,
    review, receive (acknowledge, question, answer)."""
    handlers = _("信息的发起人和%(unit)s的联络员") % {"unit": item.unit.name}
    if action == "edit":
        if can_edit(user, item):
            return None
        return _("只有%(who)s可以修改信息（审核中由可编辑环节的审核人修改）。") % {"who": handlers}
    if action in ("withdraw", "transmit"):
        if is_handler(user, item):
            return None
        what = _("撤回") if action == "withdraw" else _("传递")
        return _("只有%(who)s可以%(what)s这条信息。") % {"who": handlers, "what": what}
    if action == "cancel":
        if is_handler(user, item) or roles_of(user).is_secretariat:
            return None
        return _("只有%(who)s或秘书处可以作废这条信息。") % {"who": handlers}
    if action == "review":
        if can_decide(user, step):
            return None
        if step.state != ReviewStep.State.OPEN:
            return _("“%(step)s”环节已结束，无需再审核。") % {"step": step.name}
        bar = decision_bar(user, step) if acting_assignee(user, step.assignees.all()) is not None else None
        if bar is not None:  # on the step, but separation of duties keeps them off it
            return bar_message(bar)
        return _("“%(step)s”环节由 %(names)s 审核（或其代理人）。") % {"step": step.name, "names": _deciders(step)}
    if action == "receive":
        if can_receive(user, receiver):
            return None
        if receiver.kind == Receiver.Kind.UNIT:
            return _("只有%(unit)s的负责人和联络员可以为该接收方签收和反馈。") % {"unit": receiver.unit.name}
        if receiver.kind == Receiver.Kind.USER:
            return _("只有接收人 %(name)s 本人可以签收和反馈。") % {"name": _names([receiver.user])}
        return _("外部单位和全体员工的签收与反馈由%(who)s代为登记。") % {"who": handlers}
    raise ValueError("unknown action %r" % action)


def require(user, action, item, **objects) -> None:
    """Raise PermissionDenied with ``refusal``'s sentence when it says no."""
    reason = refusal(user, action, item, **objects)
    if reason is not None:
        raise PermissionDenied(reason)


def draft_refusal() -> str:
    return _("只有各部门的联络员、部门负责人和秘书处可以新建信息；如需报送信息，请联系本部门联络员。")


# --- grants ----------------------------------------------------------------------


def item_permissions():
    """{codename: Permission} for the three item permissions."""
    return {
        p.codename: p
        for p in Permission.objects.filter(content_type__app_label="infoflow", codename__in=ITEM_PERMS)
    }


def grant(user, codename, item):
    """One grant by hand (admin, scripts). Services use ``sync_item_grants``."""
    return assign_perm(f"infoflow.{codename}", user, item)


def revoke(user, codename, item):
    return remove_perm(f"infoflow.{codename}", user, item)


def _unit_people(unit_ids):
    """{unit_id: {user ids}} of each unit's head and active officers."""
    people = {uid: set() for uid in unit_ids}
    if not unit_ids:
        return people
    for uid, head in OrgUnit.objects.filter(pk__in=unit_ids, head__isnull=False).values_list("pk", "head_id"):
        people[uid].add(head)
    for uid, user_id in Officer.objects.filter(unit_id__in=unit_ids, status=Officer.Status.ACTIVE).values_list(
        "unit_id", "user_id"
    ):
        people[uid].add(user_id)
    return people


def desired_grants(item) -> dict[int, set[str]]:
    """{user id: {codenames}} that the item's path gives right now."""
    wanted: dict[int, set[str]] = {}

    def add(user_id, *codenames):
        wanted.setdefault(user_id, set()).update(codenames)

    add(item.initiator_id, VIEW, HANDLE)
    for user_id in Officer.objects.filter(unit_id=item.unit_id, status=Officer.Status.ACTIVE).values_list(
        "user_id", flat=True
    ):
        add(user_id, VIEW, HANDLE)

    # WAITING: a step that opened and now waits behind a signer added before it (前加签).
    started = (ReviewStep.State.OPEN, ReviewStep.State.APPROVED, ReviewStep.State.RETURNED, ReviewStep.State.WAITING)
    for user_id in StepAssignee.objects.filter(step__item=item, step__state__in=started).values_list(
        "user_id", flat=True
    ):
        add(user_id, VIEW)
    # A decision made on a step later revoked (withdrawal) still keeps its author on the path.
    for user_id in StepAssignee.objects.filter(
        step__item=item, decision__in=(StepAssignee.Decision.APPROVED, StepAssignee.Decision.RETURNED)
    ).values_list("user_id", flat=True):
        add(user_id, VIEW)

    sent = item.receivers.exclude(state=Receiver.State.WAITING)
    unit_ids = set(sent.filter(kind=Receiver.Kind.UNIT).values_list("unit_id", flat=True))
    for user_ids in _unit_people(unit_ids).values():
        for user_id in user_ids:
            add(user_id, VIEW, RECEIVE)
    for user_id in sent.filter(kind=Receiver.Kind.USER).values_list("user_id", flat=True):
        add(user_id, VIEW, RECEIVE)

    question_units = set(item.questions.values_list("responsible_unit_id", flat=True))
    for user_ids in _unit_people(question_units).values():
        for user_id in user_ids:
            add(user_id, VIEW)
    # The superiors an item was sent up to (呈报) and the owners of its follow tasks (issue 19 §8).
    for user_id in Escalation.superiors.through.objects.filter(escalation__item=item).values_list(
            "user_id", flat=True):
        add(user_id, VIEW)
    for user_id in FollowTask.objects.filter(item=item).values_list("owner_id", flat=True):
        add(user_id, VIEW)
    # People an app put on the path: those the item was circulated to (传阅, followup).
    for user_id in extensions.viewers(item):
        add(user_id, VIEW)
    return wanted


def sync_item_grants(item) -> tuple[int, int]:
    """Make the item's view/handle/receive grants match ``desired_grants``.
    Returns (added, removed)."""
    perms = item_permissions()
    by_id = {p.pk: code for code, p in perms.items()}
    existing = {}
    for pk, user_id, perm_id in ItemUserObjectPermission.objects.filter(
        content_object=item, permission_id__in=by_id
    ).values_list("pk", "user_id", "permission_id"):
        existing[(user_id, by_id[perm_id])] = pk
    wanted = {(user_id, code) for user_id, codes in desired_grants(item).items() for code in codes}

    missing = wanted - existing.keys()
    extra = [pk for key, pk in existing.items() if key not in wanted]
    ItemUserObjectPermission.objects.bulk_create(
        [ItemUserObjectPermission(content_object=item, user_id=u, permission=perms[c]) for u, c in sorted(missing)],
        ignore_conflicts=True,
    )
    if extra:
        ItemUserObjectPermission.objects.filter(pk__in=extra).delete()
    return len(missing), len(extra)
