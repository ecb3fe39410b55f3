"""The list pages' rows through SQL compiled once per kind of user (issue 12).

"My items", the review inbox and the receiver inbox built and compiled
their rows' queryset on every request — the visibility rule, the joins,
the columns: about a fifth of each page's Python, more than reading its 20
rows. Their SQL depends on the user only through what
``stand_ins.user_shape`` keys (flags, roles, how the units are shared) and
the ids, so each page compiles the selector's own queryset once per shape
for a stand-in user (``compiled.page``) and runs it with the real ids.

The builders below call the selectors themselves, so the rows are theirs
by construction (tests/infoflow/test_list_pages.py compares them for every
persona). Each ``*_page`` answers None when its list needs the queryset
path: filters set (the form narrows the queryset), a delegation in force
(the deputy's principals change the query's shape), an inactive user.
"""
from __future__ import annotations

from . import selectors
from .stand_ins import stand_in_user, user_shape
from .views.common import paginate_compiled, paginate_keyed


def _my_items(shape, _permission, bucket, *ids):
    return selectors.my_items(stand_in_user(shape, ids), bucket)


def _receiver_keys(shape, _permission, include_answered, *ids):
    rows = selectors.receiver_rows(stand_in_user(shape, ids), include_answered=include_answered)
    return rows.order_by(*selectors.received_order()).values("pk")


def _receivers(shape, _permission, include_answered, id_count, *values):
    ids, pks = values[:id_count], values[id_count:]
    rows = selectors.receiver_rows(stand_in_user(shape, ids), include_answered=include_answered)
    return selectors.received_columns(rows.filter(pk__in=pks))


def _review_keys(shape, _permission, *ids):
    return selectors.review_rows(stand_in_user(shape, ids)).order_by(*selectors.review_order()).values("pk")


def _reviews(shape, _permission, id_count, *values):
    ids, pks = values[:id_count], values[id_count:]
    return selectors.review_columns(selectors.review_rows(stand_in_user(shape, ids)).filter(pk__in=pks))


def compiled_user(user, acting: list[int] | None = None):
    """(shape, ids) when ``user``'s lists may be read through compiled SQL,
    else None: an active, authenticated user acting for nobody else."""
    if not user.is_authenticated or not user.is_active:
        return None
    if acting is not None and acting != [user.pk]:
        return None
    return user_shape(user)


def my_items_page(request, bucket: str, count: int):
    """The page of ``selectors.my_items(request.user, bucket)`` that
    ``paginate(request, rows, count=count)`` gives, or None (see the module
    docstring)."""
    user = request.user
    found = compiled_user(user)
    if found is None:
        return None
    shape, ids = found
    return paginate_compiled(request, _my_items, ids, shape=(shape, selectors._view_permission_id(), bucket),
                             fallback=lambda: selectors.my_items(user, bucket), count=count)


def review_inbox_page(request):
    """The page of ``selectors.review_inbox(request.user)`` that
    ``paginate_counted`` gives, or None (see the module docstring)."""
    user = request.user
    found = compiled_user(user, selectors._acting_user_ids(user))
    if found is None:
        return None
    shape, ids = found
    # The page's steps and their count from the steps alone, then those 20
    # with their items, units and initiators (paginate_keyed).
    return paginate_keyed(request, _review_keys, ids, shape=(shape, selectors._view_permission_id()),
                          rows=_reviews, fallback=lambda: selectors.review_inbox(user))


def receiver_inbox_page(request, include_answered: bool):
    """The page of ``selectors.receiver_inbox(request.user, include_answered=…)``
    that ``paginate_counted`` gives, or None (see the module docstring)."""
    user = request.user
    found = compiled_user(user, selectors._acting_user_ids(user))
    if found is None:
        return None
    shape, ids = found
    # The page's receipts and their count from the receipts alone, then those
    # 20 with their items, units and people (paginate_keyed).
    return paginate_keyed(request, _receiver_keys, ids, shape=(shape, selectors._view_permission_id(), include_answered),
                          rows=_receivers,
                          fallback=lambda: selectors.receiver_inbox(user, include_answered=include_answered))
