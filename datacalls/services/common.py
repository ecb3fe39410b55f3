"""Shared helpers of the data call services (history, the manager check)."""
from django.utils.translation import gettext as _

from liaison.errors import DataCallNotAllowed

from ..selectors import manages_calls


def history(obj, actor, reason: str) -> None:
    """Name the actor and the reason on the history row the next save writes."""
    obj._history_user = actor
    obj._change_reason = reason


def check_manager(actor, call=None) -> None:
    if not (manages_calls(actor) or (call is not None and call.created_by_id == actor.pk)):
        raise DataCallNotAllowed(_("只有秘书处可以管理报送任务。"))
