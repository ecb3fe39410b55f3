"""The item of the item page and its printed form, read through SQL compiled
once per user's rule (issue 12).

Both pages fetch the item as ``get_object_or_404(selectors.item_detail(user),
pk=pk)``: the visibility rule (``visibility.items_visible_to``) with the
item's unit, initiator, category and route joined, and on the item page the
presence probes (``page_probes``). Building and compiling that queryset
through the ORM cost 4–5 ms of Python a request, a fifth of the item page's
and a third of the print page's time at 100,000 items, for SQL that is the
same on every request of a user but for the item's id and the moment
delegations are in force. So it is compiled once per process for each
user's rule (``compiled.rows_for``, keyed by what the rule reads: the user's
roles, which hold their id, units and superuser flag; whether they are
active; the registered probes) and run with the item's id and now.

The SQL is the selector's own, so the rule stays the one of
``items_visible_to``; roles are read afresh on every request
(``roles_of``), so a changed role is a new key, never a stale rule.
"""
from __future__ import annotations

from django.http import Http404
from django.utils import timezone

from officers.roles import roles_of

from . import compiled, extensions, selectors
from .models import Item
from .page_probes import page_probes


def page_item(user, pk: int, *, probes: bool = False) -> Item:
    """``get_object_or_404(selectors.item_detail(user), pk=pk)``, annotated
    with ``page_probes(user)`` when ``probes`` (the item page). Raises Http404
    when the item does not exist or ``user`` may not see it."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise Http404  # items_visible_to: nothing (login_required stops these first)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    key = ("page_item", roles_of(user), user.is_superuser, probes,
           tuple(extensions._item_probes) if probes else ())
    found = compiled.rows_for(key, _builder(user, probes), pk, moment=timezone.now())
    if not found:
        raise Http404
    return found[0]


def _builder(user, probes: bool):
    def build(item_id, moment):
        queryset = selectors.item_detail(user, moment=moment)
        if probes:
            queryset = queryset.annotate(**page_probes(user))
        return queryset.filter(pk=item_id)
    return build
