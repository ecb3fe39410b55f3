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
from django.utils.translation import gettext as _

from officers.models import OrgUnit, RoleAssignment

from ..models import DeciderKind, DecisionMode, Item, Kind, Receiver, RouteRule

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
        {"name": s.name, "decider": s.decider, "mode": s.mode, "may_edit": s.may_edit}
        for s in sorted(rule.stages.all(), key=lambda s: s.order)
    ]


def resolve_deciders(item, stage: dict, receiver_unit_ids=None) -> list:
    """The active users who decide this stage for this item, in a stable order.
    ``receiver_unit_ids`` overrides the item's receiving units (route preview
    of an unsaved draft)."""
    User = get_user_model()
    decider = stage["decider"]
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
    return _("没有人担任“%(role)s”，无法进入“%(stage)s”环节，请联系秘书处。") % {
        "role": DeciderKind(decider).label, "stage": stage["name"]}


def describe_stages(item, stages, receiver_unit_ids=None) -> list[dict]:
    rows = []
    for stage in stages:
        users = resolve_deciders(item, stage, receiver_unit_ids)
        rows.append(
            {
                "name": stage["name"],
                "decider": DeciderKind(stage["decider"]).label,
                "mode": DecisionMode(stage.get("mode") or DecisionMode.ALL).label,
                "may_edit": stage.get("may_edit", False),
                "users": users,
                "problem": None if users else _problem(item, stage),
            }
        )
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
