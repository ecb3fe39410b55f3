"""Routes as data: which review stages an item passes, and who decides each.

``choose_route`` picks the active RouteRule with the lowest priority whose
conditions all match; an empty condition matches anything. No matching rule
means no review (straight to the receivers). The stages are frozen into the
item at first submission (``route_snapshot``), so a later edit of the rules
does not move items already under way.

Derived conditions (domain, "the route depends on what the item is"):
* for publication: kind "publication" or at least one release channel;
* needs coordination: the flag, or kind "coordination";
* legal effect: the flag, or kind "legal".
"""
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from officers.models import OrgUnit, RoleAssignment

from ..models import NAMED_DECIDER, STEP_DECIDERS, DeciderKind, DecisionMode, Item, Kind, Receiver, RouteRule
from ..separation import (authors_of, bar_reason, display_name, handover_cause, handover_text,
                          previous_deciders)
from .delegation import deputies_of

Role = RoleAssignment.Role

ROLE_OF_DECIDER = {
    DeciderKind.SECRETARIAT_POOL: Role.SECRETARIAT,
    DeciderKind.SECRETARIAT_LEAD: Role.SECRETARIAT_LEAD,
    DeciderKind.GENERAL_MANAGER: Role.GENERAL_MANAGER,
    DeciderKind.LEGAL: Role.LEGAL,
    DeciderKind.ASSOCIATION_SECRETARIAT: Role.ASSOCIATION_SECRETARIAT,
}


def is_for_publication(item) -> bool:
    return item.kind == Kind.PUBLICATION or bool(item.channels_list)


def needs_coordination(item) -> bool:
    return item.needs_coordination or item.kind == Kind.COORDINATION


def has_legal_effect(item) -> bool:
    return item.has_legal_effect or item.kind == Kind.LEGAL


def _flag_matches(rule_value, item_value) -> bool:
    return rule_value is None or bool(rule_value) == bool(item_value)


def rule_matches(rule: RouteRule, item, unit=None) -> bool:
    unit = unit or item.unit
    if rule.direction and rule.direction != item.direction:
        return False
    kinds = [k.strip() for k in rule.kinds.split(",") if k.strip()]
    if kinds and item.kind not in kinds:
        return False
    category_ids = {c.pk for c in rule.categories.all()}
    if category_ids and item.category_id not in category_ids:
        return False
    unit_ids = {u.pk for u in rule.originating_units.all()}
    if unit_ids and item.unit_id not in unit_ids:
        return False
    if rule.originating_unit_kind and (unit is None or unit.kind != rule.originating_unit_kind):
        return False
    return (
        _flag_matches(rule.is_major, item.is_major)
        and _flag_matches(rule.has_legal_effect, has_legal_effect(item))
        and _flag_matches(rule.for_publication, is_for_publication(item))
        and _flag_matches(rule.needs_coordination, needs_coordination(item))
    )


def active_rules():
    return (
        RouteRule.objects.filter(is_active=True)
        .prefetch_related("categories", "originating_units", "stages")
        .order_by("priority", "pk")
    )


def choose_route(item) -> RouteRule | None:
    """The route rule the item would take now (None: no review)."""
    unit = OrgUnit.objects.get(pk=item.unit_id) if item.unit_id else None
    for rule in active_rules():
        if rule_matches(rule, item, unit):
            return rule
    return None


def stages_of(rule: RouteRule | None) -> list[dict]:
    """The rule's stages as the dicts frozen into ``Item.route_snapshot``."""
    if rule is None:
        return []
    return [
        {"name": s.name, "decider": s.decider, "mode": s.mode, "may_edit": s.may_edit, "kind": s.kind}
        for s in sorted(rule.stages.all(), key=lambda s: s.order)
    ]


def resolve_deciders(item, stage: dict, receiver_unit_ids=None) -> list:
    """The active users who decide this stage for this item, in a stable order.
    ``receiver_unit_ids`` overrides the item's receiving units (route preview
    of an unsaved draft)."""
    User = get_user_model()
    decider = stage["decider"]
    if decider == NAMED_DECIDER:  # a stage added by 加签: its people are named (services.signers)
        return list(User.objects.filter(pk__in=stage.get("users") or [], is_active=True).order_by("pk"))
    if decider in (DeciderKind.UNIT_HEAD, DeciderKind.SUPERVISING_LEADER):
        unit = item.unit
        user_id = unit.head_id if decider == DeciderKind.UNIT_HEAD else unit.supervising_leader_id
        return list(User.objects.filter(pk=user_id, is_active=True)) if user_id else []
    if decider in ROLE_OF_DECIDER:
        return list(
            User.objects.filter(roles__role=ROLE_OF_DECIDER[decider], is_active=True).distinct().order_by("pk")
        )
    if decider == DeciderKind.RECEIVER_HEADS:
        if receiver_unit_ids is None:
            receiver_unit_ids = (
                list(item.receivers.filter(kind=Receiver.Kind.UNIT).values_list("unit_id", flat=True))
                if item.pk
                else []
            )
        head_ids = OrgUnit.objects.filter(pk__in=receiver_unit_ids, head__isnull=False).values_list("head_id", flat=True)
        return list(User.objects.filter(pk__in=head_ids, is_active=True).order_by("pk"))
    raise ValueError(f"unknown decider {decider!r}")


# Who takes a stage its own decider must stand aside from (separation of
# duties): the decider's superior first — a head's supervising leader, for the
# secretariat's initial review its lead (as the deadline sweep escalates,
# services.deadlines) — then the later stages of the route, then the general
# manager.
FIRST_SUCCESSOR = {
    DeciderKind.UNIT_HEAD: DeciderKind.SUPERVISING_LEADER,
    DeciderKind.SUPERVISING_LEADER: DeciderKind.GENERAL_MANAGER,
    DeciderKind.GENERAL_MANAGER: None,
    DeciderKind.RECEIVER_HEADS: None,  # the receiving unit's own supervising leader, see _successors
}


def _pooled(stage) -> bool:
    """One decision of any of the stage's people is enough (a pool, 或签)."""
    return stage["decider"] == DeciderKind.SECRETARIAT_POOL or (stage.get("mode") or DecisionMode.ALL) == DecisionMode.ANY


def _successors(item, stage, later, barred_user, receiver_unit_ids=None) -> list:
    """Candidate groups of users, best first, for a stage ``barred_user``
    stands aside from; the caller drops those barred themselves and takes
    the first group left with anyone in it."""
    User = get_user_model()
    decider = stage["decider"]
    found = []
    if decider == DeciderKind.RECEIVER_HEADS:
        if receiver_unit_ids is None:
            receiver_unit_ids = list(
                item.receivers.filter(kind=Receiver.Kind.UNIT).values_list("unit_id", flat=True)) if item.pk else []
        leader_ids = OrgUnit.objects.filter(
            pk__in=receiver_unit_ids, head_id=barred_user.pk, supervising_leader__isnull=False
        ).values_list("supervising_leader_id", flat=True)
        found.append(list(User.objects.filter(pk__in=leader_ids, is_active=True).order_by("pk")))
    kinds = [FIRST_SUCCESSOR.get(decider, DeciderKind.SECRETARIAT_LEAD)]
    kinds += [s["decider"] for s in later] + [DeciderKind.GENERAL_MANAGER]
    for kind in dict.fromkeys(k for k in kinds if k):
        if kind != DeciderKind.RECEIVER_HEADS:
            found.append(resolve_deciders(item, {"decider": kind}, receiver_unit_ids))
    return found


def assign_stage(item, stage, *, later=(), previous=frozenset(), authors=None, moment=None,
                 receiver_unit_ids=None) -> tuple[list, list[dict]]:
    """The users who decide ``stage`` for ``item`` once the separation of
    duties is applied (infoflow.separation), and the handovers that explain
    who was passed over: ``(users, [{"reason", "person", "person_id",
    "deputy", "to", "to_ids", "at"}])``.

    A decider who initiated or drafted the item, or (external items) decided
    the previous stage, stands aside; so does one whose deputy in force is
    such a person, since the deputy would decide in their absence. In a pool
    or 或签 stage the others decide; otherwise the stage passes to the next
    decider (``_successors``). ``later`` are the route's stages after this
    one, ``previous`` the ids of who decided the stage before."""
    moment = moment or timezone.now()
    authors = authors_of(item) if authors is None else authors
    users = resolve_deciders(item, stage, receiver_unit_ids)
    deputies = deputies_of([u.pk for u in users], moment)
    kept, barred = [], []
    for user in users:
        reason, deputy = bar_reason(user.pk, authors, previous), None
        if reason is None and user.pk in deputies:
            deputy = deputies[user.pk]
            deputy_reason = bar_reason(deputy.pk, authors, previous)
            reason = "deputy_" + deputy_reason if deputy_reason else None
        if reason:
            barred.append((user, reason, deputy))
        else:
            kept.append(user)
    if not barred:
        return users, []

    handovers = []
    chosen = list(kept)
    barred_ids = {u.pk for u, _r, _d in barred}
    for user, reason, deputy in barred:
        if _pooled(stage) and kept:
            to = kept
        else:
            candidates = []
            for group in _successors(item, stage, later, user, receiver_unit_ids):
                candidates = [c for c in group if c.pk not in barred_ids and bar_reason(c.pk, authors, previous) is None]
                if candidates:
                    break
            # One person takes a one-person place (会签); a pool or 或签 stage passes to the whole group.
            to = candidates if _pooled(stage) else candidates[:1]
            chosen += [c for c in to if c.pk not in {u.pk for u in chosen}]
        handovers.append({
            "reason": reason, "person": display_name(user), "person_id": user.pk,
            "deputy": display_name(deputy) if deputy else "", "to": [display_name(u) for u in to],
            "to_ids": [u.pk for u in to], "at": moment.isoformat(),
        })
    return chosen, handovers


def _problem(item, stage) -> str:
    decider = stage["decider"]
    if decider == DeciderKind.UNIT_HEAD:
        return _("%(unit)s 未设置部门负责人，无法进入“%(stage)s”环节，请联系人力资源部维护。") % {
            "unit": item.unit.name, "stage": stage["name"]}
    if decider == DeciderKind.SUPERVISING_LEADER:
        return _("%(unit)s 未设置分管领导，无法进入“%(stage)s”环节，请联系人力资源部维护。") % {
            "unit": item.unit.name, "stage": stage["name"]}
    if decider == DeciderKind.RECEIVER_HEADS:
        return _("“%(stage)s”环节需要接收部门负责人审核，但接收部门中没有设置负责人的部门。") % {"stage": stage["name"]}
    if decider == NAMED_DECIDER:
        return _("“%(stage)s”环节的加签人账号已停用，请减签后重新加签。") % {"stage": stage["name"]}
    return _("没有人担任“%(role)s”，无法进入“%(stage)s”环节，请联系秘书处。") % {
        "role": DeciderKind(decider).label, "stage": stage["name"]}


def decider_label(code: str) -> str:
    """The words for a stage's decider kind (a route's kinds and 加签人)."""
    return str(dict(STEP_DECIDERS).get(code, code))


def describe_stages(item, stages, receiver_unit_ids=None, later_stages=()) -> list[dict]:
    """One row per stage with the users who will decide it after the
    separation of duties, and the handovers that explain a passed-over
    decider. The stage before is assumed decided by its people (external
    items: nobody holds two consecutive stages). ``later_stages`` follow
    ``stages`` in the route (a partial preview after a return)."""
    authors = authors_of(item)
    moment = timezone.now()
    stages = list(stages)
    rows = []
    previous = set()
    for index, stage in enumerate(stages):
        later = stages[index + 1:] + list(later_stages)
        users, handovers = assign_stage(item, stage, later=later, previous=previous, authors=authors,
                                        moment=moment, receiver_unit_ids=receiver_unit_ids)
        problem = None
        if not users:
            problem = _problem(item, stage) if not handovers else _(
                "%(why)s，“%(stage)s”环节没有可接替的审核人，请联系秘书处。"
            ) % {"why": handover_cause(handovers[0]), "stage": stage["name"]}
        rows.append(
            {
                "name": stage["name"],
                "decider": decider_label(stage["decider"]),
                "mode": DecisionMode(stage.get("mode") or DecisionMode.ALL).label,
                "may_edit": stage.get("may_edit", False),
                "users": users,
                "handovers": [handover_text(h) for h in handovers],
                "problem": problem,
            }
        )
        previous = {u.pk for u in users} if item.direction == "external" else set()
    return rows


def preview_route(item, receiver_unit_ids=None) -> list[dict]:
    """The stages the item will pass, with names: ``[{name, decider, mode,
    users, problem}]`` for "部门负责人 王五 → 分管领导 李四". A submitted item shows
    its frozen route; a draft the route the rules choose now. ``problem`` is a
    message when nobody can decide the stage (submission is then refused)."""
    if item.pk and item.number:
        stages = item.route_snapshot
    else:
        stages = stages_of(choose_route(item))
    return describe_stages(item, stages, receiver_unit_ids)


def route_problems(item, stages, start=0) -> list[str]:
    return [row["problem"] for row in describe_stages(item, stages[start:]) if row["problem"]]


def stage_deciders(item, index, *, moment=None, submitter=None) -> tuple[list, list[dict]]:
    """Who decides stage ``index`` of the item's frozen route when it opens
    now, after the separation of duties (``assign_stage``), knowing who
    decided the stage before in this round. ``submitter``: the user
    submitting right now, an author before their history row is written."""
    stages = item.route_snapshot
    previous = previous_deciders(item, item.review_round, index)
    authors = authors_of(item) | ({submitter.pk} if submitter is not None else set())
    return assign_stage(item, stages[index], later=stages[index + 1:], previous=previous, authors=authors,
                        moment=moment)


def route_label(rows) -> str:
    """"部门负责人 王五 → 分管领导 李四" from ``preview_route`` rows."""
    parts = []
    for row in rows:
        names = "、".join(u.get_full_name() or u.username for u in row["users"]) or "？"
        parts.append(f"{row['name']} {names}")
    return " → ".join(parts) or _("无需审核，直接传递")


def trial_route(*, direction, kind, category=None, unit, is_major=False, has_legal_effect=False,
                needs_coordination=False, release_channels=(), receiver_unit_ids=()):
    """The admin's "试算路线": the route and stages a sample item would take."""
    item = Item(
        direction=direction, kind=kind, category=category, unit=unit, is_major=is_major,
        has_legal_effect=has_legal_effect, needs_coordination=needs_coordination,
        release_channels=",".join(release_channels), subject="", summary="",
    )
    rule = choose_route(item)
    return rule, describe_stages(item, stages_of(rule), list(receiver_unit_ids))
