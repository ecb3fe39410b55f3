"""Batch approval (批量审核) from the review inbox: several steps approved
with one opinion.

Each step is a separate ``chain.approve_step`` call in its own transaction,
with all its checks (lock, state, decider, separation of duties), so one
refusal does not stop the others and nothing is approved that the reviewer
could not approve one by one. Steps whose decision may come with an edit of
the text (``may_edit``: the secretariat's initial review) are refused here:
they are reviewed one at a time on the review form.
"""
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from liaison.errors import LiaisonError

from ..models import ReviewStep
from ..selectors import visible_items
from .chain import approve_step


@dataclass
class BatchResult:
    """``passed``: the approved steps; ``failed``: ``(step or None, step id,
    message)`` for each step that was not approved."""

    passed: list = field(default_factory=list)
    failed: list = field(default_factory=list)


def approve_many(*, step_ids, actor, opinion: str = "", checked=None) -> BatchResult:
    """Approve each step in ``step_ids`` (ids, at most ``LIMIT``) as ``actor``
    with ``opinion`` (empty: "同意"), each in its own transaction.
    ``checked``: the ids of the review checklist's points ticked on the batch
    form (loop.checklist_for_steps); each step keeps those of its own points,
    and a step whose required point is not ticked is reported in ``failed``
    (seed 004 (二) 审核重点). Never
    raises for one step: a step that is missing, not the actor's, already
    decided or one that may need an edit is reported in ``failed`` with the
    user's message (a step of an item the actor may not see is reported as
    missing, by its id alone, never by its item's number or subject). Not atomic as a whole, on purpose (a summary says what
    passed)."""
    result = BatchResult()
    ids = []
    for raw in step_ids:
        try:
            ids.append(int(raw))
        except (TypeError, ValueError):
            continue
    ids = sorted(set(ids))[:LIMIT]
    # Only steps of items the actor may see: the summary names each step's item, and a
    # step of an item one cannot see must read exactly like one that does not exist.
    steps = {s.pk: s for s in ReviewStep.objects.filter(pk__in=ids, item__in=visible_items(actor))
             .select_related("item")}
    for pk in ids:
        step = steps.get(pk)
        if step is None:
            result.failed.append((None, pk, _("找不到该审核环节。")))
            continue
        if step.may_edit:
            result.failed.append((step, pk, _("该环节可修改文稿，请逐条审核。")))
            continue
        try:
            approve_step(step=step, actor=actor, opinion=opinion, checked=checked)
        except LiaisonError as error:
            result.failed.append((step, pk, error.message))
        else:
            result.passed.append(step)
    return result


LIMIT = 100
