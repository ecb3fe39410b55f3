"""Who may circulate, read, see the reading, propose, instruct and handle
tasks. Predicates answer for one user and one object; services call them
after the state check and raise ``NotAllowed`` when they say no. The item
itself is always fetched through ``items_visible_to`` first (404 otherwise).
"""
from __future__ import annotations

from infoflow.models import Direction, Item, Kind, StepAssignee
from infoflow.permissions import is_handler
from officers.roles import roles_of

from .models import InstructionTask

# Circulation: "at any stage or after completion" — not a draft or an item
# that never went anywhere.
CIRCULABLE = (Item.State.IN_REVIEW, Item.State.RETURNED, Item.State.APPROVED, Item.State.TRANSMITTED,
              Item.State.COMPLETED, Item.State.ARCHIVED)
# A leader instructs on an item still under way; once completed it is closed.
INSTRUCTABLE = (Item.State.IN_REVIEW, Item.State.APPROVED, Item.State.TRANSMITTED)


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def is_reviewer(user, item) -> bool:
    return StepAssignee.objects.filter(step__item=item, user_id=user.pk).exists()


def can_circulate(user, item) -> bool:
    """The item's handlers, the secretariat, its reviewers and the leaders
    who gave an instruction on it send it round for reading; a restricted
    item only its handlers and the secretariat."""
    if not _active(user) or item.state not in CIRCULABLE:
        return False
    if item.is_restricted:
        # A restricted (限定范围) item reaches more people only by those who own it: the
        # secretariat or its handlers (trial of issue 15: any reviewer could widen it).
        return is_handler(user, item) or roles_of(user).is_secretariat
    return (is_handler(user, item) or roles_of(user).is_secretariat or is_reviewer(user, item)
            or item.instructions.filter(author_id=user.pk).exists())


def sees_reading(user, item) -> bool:
    """Who has read and who not: the handlers, the secretariat, supervision,
    and whoever circulated the item."""
    if not _active(user):
        return False
    roles = roles_of(user)
    return (is_handler(user, item) or roles.is_secretariat or roles.is_supervision
            or item.circulations.filter(sent_by_id=user.pk).exists())


def is_sent_upward(item) -> bool:
    """A report to leadership, or an incoming document (收文) — which needs its 拟办 first."""
    return item.kind == Kind.REPORT or item.direction == Direction.INCOMING


def can_propose(user, item) -> bool:
    """拟办: the secretariat, on an incoming document still under way."""
    return (_active(user) and item.direction == Direction.INCOMING and item.state in INSTRUCTABLE
            and roles_of(user).is_secretariat)


def is_leader(user) -> bool:
    roles = roles_of(user)
    return _active(user) and (roles.is_leader or roles.is_general_manager)


def can_instruct(user, item) -> bool:
    """批示: a supervising leader or the general manager, on an item sent
    upward and still under way; an incoming document needs its 拟办 first."""
    if not (is_leader(user) and is_sent_upward(item) and item.state in INSTRUCTABLE):
        return False
    if item.direction == Direction.INCOMING:
        return hasattr(item, "proposal")
    return True


def can_finish_task(user, task) -> bool:
    return _active(user) and task.state == InstructionTask.State.OPEN and task.owner_id == user.pk


def can_cancel_task(user, task) -> bool:
    """The leader who gave the instruction, or the secretariat."""
    return (_active(user) and task.state == InstructionTask.State.OPEN
            and (task.instruction.author_id == user.pk or roles_of(user).is_secretariat))


def can_chase_task(user, task) -> bool:
    """催办: the instruction's author, the item's handlers, the secretariat."""
    if not _active(user) or task.state != InstructionTask.State.OPEN or task.owner_id == user.pk:
        return False
    return (task.instruction.author_id == user.pk or is_handler(user, task.item)
            or roles_of(user).is_secretariat)
