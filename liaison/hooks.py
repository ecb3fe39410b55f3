"""What liaison's own admin pages need from the apps above it. Each app
registers its answer from its AppConfig.ready(), so liaison imports none of
them (issue 11: liaison holds what every app uses and imports no app).

- ``deactivate_user(user=, actor=)``: switch an account off. The information
  flow registers its service, which hands the user's open review steps over
  and tells the secretariat, and returns the steps handed over.
- ``items_visible_to(user)``: the items ``user`` may see (a queryset with a
  ``number`` column), for notices that name an item.

Without a registered answer (liaison alone) an account is only switched off
and no item-bound notice is visible except one's own.
"""
from __future__ import annotations

from collections.abc import Callable

_deactivate_user: Callable | None = None
_items_visible_to: Callable | None = None


def provide(*, deactivate_user: Callable | None = None, items_visible_to: Callable | None = None) -> None:
    """Register an app's answers (called from AppConfig.ready())."""
    global _deactivate_user, _items_visible_to
    if deactivate_user is not None:
        _deactivate_user = deactivate_user
    if items_visible_to is not None:
        _items_visible_to = items_visible_to


def deactivate_user(*, user, actor) -> list:
    """Switch ``user`` off; return what was handed over (may be empty)."""
    if _deactivate_user is not None:
        return _deactivate_user(user=user, actor=actor)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    return []


def items_visible_to(user):
    """The items ``user`` may see, or None when no app answers."""
    return _items_visible_to(user) if _items_visible_to is not None else None
