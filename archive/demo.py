"""Demo data for the archive (called by ``seed_demo`` after infoflow.demo):
archive the finished demo items, so the archive is not empty on a fresh demo
and verify_archive passes on it. Idempotent: archived items are skipped."""
from infoflow.models import Item

from .services import archive_item


def seed():
    created = 0
    for item in Item.objects.filter(state=Item.State.COMPLETED).order_by("completed_at", "pk"):
        archive_item(item=item, actor=None, paper_location="档案室 A-01 柜" if item.has_legal_effect else "")
        created += 1
    return created
