"""The publication panel on the item page (registered with
infoflow.extensions): where the item was released, its plan, corrections
linked both ways, and the publisher's links."""
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string

from .models import Correction, ItemEdit, Release

from .selectors import corrections_of, is_publisher
from .services.corrections import may_correct
from .services.release import RELEASABLE_KINDS, recheck_required, release_refusal


def item_probes(user) -> dict:
    """Whether the item has correction links, a release and reviewers' edits, probed with the
    item on its page (infoflow.extensions.item_probes; issue 12)."""
    item = OuterRef("pk")
    return {
        "publication_has_links": Exists(Correction.objects.filter(Q(item_id=item) | Q(original_id=item))),
        "publication_has_release": Exists(Release.objects.filter(item_id=item)),
        # Reviewers' edits, read by the item's timeline (publication.timeline.edit_events).
        "publication_has_edits": Exists(ItemEdit.objects.filter(item_id=item)),
    }


def item_panel(request, item) -> str:
    """HTML for ``item``'s page ("" when there is nothing to show); the caller
    showed the item, so the user may see it. An item that came with
    ``item_probes`` found without links or release spares their queries."""
    if getattr(item, "publication_has_links", None) is False:
        links = {"corrected_by": [], "corrects": None}
    else:
        links = corrections_of(item, request.user)
    if getattr(item, "publication_has_release", None) is False:
        release = None
    else:
        release = getattr(item, "release", None) if hasattr(item, "release") else None
    publisher = is_publisher(request.user)
    if item.kind not in RELEASABLE_KINDS and not (links["corrected_by"] or links["corrects"]):
        return ""
    records = list(release.records.select_related("released_by")) if release else []
    if not (records or links["corrected_by"] or links["corrects"] or publisher):
        return ""
    return render_to_string("publication/_item_panel.html", {
        "item": item, "release": release, "records": records, "links": links, "publisher": publisher,
        "refusal": release_refusal(item) if publisher else "", "recheck": recheck_required(item),
        "may_correct": bool(release and release.first_released_at and may_correct(request.user, item)),
    }, request=request)
