"""Which list an export was asked from, so that the download holds exactly
the rows that list shows (issue 7): the same selector, the same filters.

``scope`` is "mine:<tab>", "reviews", "received" (":all" with answered
ones) or "incoming"; anything
else (or nothing) is every item the user may see, as the command does."""
from . import selectors
from .models import Item


def scoped_item_ids(user, scope: str):
    """A subquery of the item ids of the list named by ``scope``, or None for
    "all that the user may see"."""
    if scope.startswith("mine:"):
        bucket = scope.split(":", 1)[1]
        if bucket in selectors.BUCKETS:
            return selectors.my_items(user, bucket).values("pk")
    elif scope == "reviews":
        return selectors.review_inbox(user).values("item_id")
    elif scope in ("received", "received:all"):
        answered = scope == "received:all"
        return selectors.receiver_inbox(user, include_answered=answered).values("item_id")
    elif scope == "incoming":
        return selectors.incoming_register(user).values("pk")
    return None


def scope_items(user, scope: str):
    """Items of ``scope`` (always inside items_visible_to, applied by the
    caller's log_queryset)."""
    ids = scoped_item_ids(user, scope or "")
    return None if ids is None else Item.objects.filter(pk__in=ids)
