"""The portal pages of the information items (issue 4, item 8).

Every item URL fetches the item through ``items_visible_to(request.user)``,
so an item the user may not see answers 404 exactly like a missing one.
"""
from .actions import (  # noqa: F401
    acknowledge,
    add_attachments,
    answer,
    cancel,
    complete,
    progress,
    question,
    remove_attachment,
    reply,
    review,
    submit,
    take,
    transmit,
    withdraw,
)
from .editing import item_create, item_edit, route_preview  # noqa: F401
from .detail import download, item_detail  # noqa: F401
from .incoming import incoming_create, incoming_register  # noqa: F401
from .lists import my_items, receiver_inbox, review_inbox  # noqa: F401
