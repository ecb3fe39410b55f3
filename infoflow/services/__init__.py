"""The closed loop as service functions (发起 → 审核 → 传递 → 反馈).

Every function takes keyword arguments with the acting user as ``actor``,
runs in one transaction and, in order: locks the rows it changes (the item
first, then steps/receivers, each kind in primary-key order), checks the state
against ``Item.TRANSITIONS``, checks the actor's right
(``infoflow.permissions``), writes with history (the actor and a change
reason on every historical row), re-syncs the item's guardian grants and
writes the notices of the move in the same transaction (``infoflow.notices``,
called by name where the change happens; delivery follows after commit).

Errors the user sees are ``liaison.errors`` exceptions: ``StateConflict`` /
``StepClosed`` (someone else moved it first), ``InvalidInput`` (missing
reason, bad receivers…), ``AttachmentRejected``, ``NotAllowed`` (the actor
sees the item but may not do this).

Modules: ``drafting`` (create, edit, attachments), ``routing`` (routes as
data), ``chain`` (submit, withdraw, take, approve, return, cancel),
``delivery`` (transmit, receipts, questions, progress, answers, completion),
``incoming`` (收文), ``numbering``.
"""
from django.utils.translation import gettext as _

from liaison.errors import NotAllowed, StateConflict

from ..models import Item

def lock_item(item) -> Item:
    """Re-read the item under a row lock: every service on an item queues here,
    so two people acting on the same item at once are serialised."""
    return Item.objects.select_for_update(of=("self",)).select_related("unit", "initiator").get(pk=item.pk)


def save_with_history(obj, actor, reason, update_fields=None):
    obj._history_user = actor
    obj._change_reason = reason
    if update_fields is None:
        obj.save()
    else:
        obj.save(update_fields=update_fields)
    return obj


def require_state(item, *states):
    if item.state not in states:
        raise StateConflict(
            _("信息“%(subject)s”当前状态为“%(state)s”，不能执行此操作，请刷新后查看最新状态。")
            % {"subject": item.subject, "state": item.get_state_display()}
        )


def require_move(item, new_state):
    if not item.can_move_to(new_state):
        require_state(item)  # raises with the current state named


def not_allowed():
    return NotAllowed(_("您无权对该信息执行此操作。"))
