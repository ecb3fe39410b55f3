"""Archive services: archiving (archiving.py), retention and disposal (disposal.py)."""
from .archiving import archive_due_items, archive_item, items_due  # noqa: F401
