"""Separation of duties in review (回避与双人审核).

Two rules, checked when a stage opens (``services.routing.assign_stage`` passes
the stage on) and again when someone decides (``permissions.can_decide`` and
the chain's services), so they hold when the situation arises after the step
opened (a delegation named later):

* 回避 (domain.md: "Nobody decides a review step on an item they initiated or
  drafted, directly or as someone's deputy"): the item's authors — its
  initiator and whoever created, edited or submitted it as a handler — decide
  none of its steps, neither themselves nor on a principal's behalf. This is
  the OA suites' "处理人就是提交人" bug class; seed 003's units, whose officer
  is the head, are the everyday case.
* 双人审核 (seed 004, external items): nobody decides two consecutive stages of
  one review round of an external item, whatever the capacity (himself, as a
  deputy, or as the one a stage passed to).

A passed-over person is recorded on the step (``ReviewStep.handovers``) with
the reason, so the timeline says why someone else decides.
"""
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from .models import Direction, Item, ReviewStep, StepAssignee

# Item history reasons written by a handler's own hand (services.drafting, chain).
AUTHOR_REASONS = ("create", "edit", "submit", "resubmit")

AUTHOR = "author"
CONSECUTIVE = "consecutive"
DEPUTY_AUTHOR = "deputy_author"
DEPUTY_CONSECUTIVE = "deputy_consecutive"
INACTIVE = "inactive"


def authors_of(item) -> set[int]:
    """Ids of the item's initiator and of everyone who created, edited or
    submitted it (one query on the item's history)."""
    ids = {item.initiator_id}
    if item.pk:
        ids |= set(
            Item.history.filter(id=item.pk, history_change_reason__in=AUTHOR_REASONS, history_user__isnull=False)
            .values_list("history_user_id", flat=True)
            .distinct()
        )
    return ids


def previous_deciders(item, review_round, stage_index) -> set[int]:
    """Ids of the people who approved the stage before ``stage_index`` in this
    round (the deputy, when a deputy decided), for an external item; empty
    otherwise (the two-person rule is seed 004's, for external items)."""
    if item.direction != Direction.EXTERNAL or stage_index <= 0:
        return set()
    return set(
        StepAssignee.objects.filter(
            step__item_id=item.pk, step__review_round=review_round, step__stage_index=stage_index - 1,
            decision=StepAssignee.Decision.APPROVED,
        ).values_list(Coalesce("decided_by_id", "user_id"), flat=True)
    )


def bar_reason(user_id, authors, previous) -> str | None:
    """Why ``user_id`` may not decide (AUTHOR, CONSECUTIVE) or None."""
    if user_id in authors:
        return AUTHOR
    if user_id in previous:
        return CONSECUTIVE
    return None


def decision_bar(user, step: ReviewStep) -> str | None:
    """The rule that keeps ``user`` from deciding ``step`` now, or None.
    Costs two small queries; the detail page asks it per open step."""
    item = step.item
    return bar_reason(user.pk, authors_of(item), previous_deciders(item, step.review_round, step.stage_index))


def bar_message(reason) -> str:
    """The actor's own message when a rule refuses their decision."""
    if reason == CONSECUTIVE:
        return _("您已审核本信息的上一环节，按双人审核规则不能再审核本环节，请由其他审核人处理。")
    return _("您是本信息的发起人或起草人，按回避规则不能审核本信息，请由其他审核人处理。")


def display_name(user) -> str:
    return user.get_full_name() or user.username


def handover_cause(entry: dict) -> str:
    """Why the person stood aside, e.g. "王五 是本信息的起草人"."""
    values = {"person": entry.get("person", ""), "deputy": entry.get("deputy", "")}
    reason = entry.get("reason")
    if reason == DEPUTY_AUTHOR:
        return _("%(person)s 的代理人 %(deputy)s 是本信息的起草人") % values
    if reason == CONSECUTIVE:
        return _("%(person)s 已审核上一环节") % values
    if reason == DEPUTY_CONSECUTIVE:
        return _("%(person)s 的代理人 %(deputy)s 已审核上一环节") % values
    if reason == INACTIVE:
        return _("%(person)s 的账号已停用") % values
    return _("%(person)s 是本信息的起草人") % values


def handover_text(entry: dict) -> str:
    """One handover as the timeline says it, e.g. "王五 是本信息的起草人，按
    回避规则由 李四 审核"."""
    values = {"cause": handover_cause(entry), "to": "、".join(entry.get("to") or [])}
    reason = entry.get("reason")
    if not values["to"]:
        return _("%(cause)s，无人可接替，请秘书处处理") % values
    if reason in (CONSECUTIVE, DEPUTY_CONSECUTIVE):
        return _("%(cause)s，按双人审核规则由 %(to)s 审核") % values
    if reason == INACTIVE:
        return _("%(cause)s，其待办环节转由 %(to)s 审核") % values
    return _("%(cause)s，按回避规则由 %(to)s 审核") % values
