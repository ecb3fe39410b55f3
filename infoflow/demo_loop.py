"""Demo data of the closed loop's small operations (``manage.py seed_demo``,
issue 19 §8), on the items of ``infoflow.demo``:

* the review checklist the secretariat keeps (准确性、完整性、合规性、必要性 for
  external items; format and wording for publication) and the seals
  (公章, 合同专用章);
* on an answered department receiver, the answer's next step as a follow
  task of that department's officer, due in five working days;
* on a sent item with receiving departments, the request that each confirms
  study and implementation (学习/落实).

Through the services (history, timeline, notices as real use leaves them).
Idempotent: rows are found by their text, and nothing is added to an item
that already has follow tasks or study confirmations.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from liaison.errors import LiaisonError
from liaison.workdays import add_working_days

from .loop_models import ChecklistEntry, FollowTask, Seal, StudyConfirmation
from .models import Item, Receiver
from .services import loop

CHECKLIST = [
    ("准确性", ChecklistEntry.Scope.EXTERNAL), ("完整性", ChecklistEntry.Scope.EXTERNAL),
    ("合规性", ChecklistEntry.Scope.EXTERNAL), ("必要性", ChecklistEntry.Scope.EXTERNAL),
    ("格式规范", ChecklistEntry.Scope.PUBLICATION), ("措辞得当", ChecklistEntry.Scope.PUBLICATION),
]
SEALS = [("公章", "办公室"), ("合同专用章", "法务部")]


def seed() -> int:
    """Create what is missing; returns the rows created."""
    created = 0
    with transaction.atomic():
        for order, (text, scope) in enumerate(CHECKLIST):
            _entry, new = ChecklistEntry.objects.get_or_create(text=text, scope=scope,
                                                               defaults={"sort_order": order * 10})
            created += new
        for order, (name, keeper) in enumerate(SEALS):
            _seal, new = Seal.objects.get_or_create(name=name, defaults={"keeper": keeper, "sort_order": order})
            created += new
    created += _follow_task()
    created += _study()
    return created


def _follow_task() -> int:
    if FollowTask.objects.exists():
        return 0
    receiver = (Receiver.objects.filter(kind=Receiver.Kind.UNIT, state=Receiver.State.ANSWERED,
                                        item__state__in=loop.FOLLOWABLE)
                .select_related("item", "unit").order_by("pk").first())
    if receiver is None:
        return 0
    officer = get_user_model().objects.filter(officer_posts__unit=receiver.unit, is_active=True).order_by("pk").first()
    if officer is None:
        return 0
    due = timezone.localtime(add_working_days(timezone.now(), 5)).date()
    try:
        loop.add_follow_task(receiver=receiver, actor=officer, owner=officer, due_date=due,
                             what=receiver.answer_next_steps or "按反馈意见完成整改并报送结果")
    except LiaisonError:
        return 0
    return 1


def _study() -> int:
    if StudyConfirmation.objects.exists():
        return 0
    item = (Item.objects.filter(state=Item.State.TRANSMITTED, receivers__kind=Receiver.Kind.UNIT)
            .exclude(receivers__state=Receiver.State.WAITING).select_related("initiator").order_by("pk").first())
    if item is None:
        return 0
    try:
        return len(loop.require_study(item=item, actor=item.initiator))
    except LiaisonError:
        return 0
