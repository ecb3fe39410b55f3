"""Archive services: archiving (archiving.py), retention and disposal (disposal.py)."""
from .archiving import archive_due_items, archive_item, archive_items, items_due  # noqa: F401
