"""Reviewers' edits as timeline entries (infoflow.selectors.item_timeline
adds them to the item's story): one query per item."""
from django.utils.translation import gettext as _

from .diffs import text_diff
from .models import ItemEdit


def edit_events(item) -> list[dict]:
    """``[{"at", "who", "detail", "diff"}]`` oldest first; ``diff`` is the
    runs of publication.diffs.text_diff (empty for an attachment). None
    and no query when the item came with the item page's probe
    (``panels.item_probes``) and it found no edit."""
    if getattr(item, "publication_has_edits", None) is False:
        return []
    out = []
    for edit in ItemEdit.objects.filter(item=item).select_related("edited_by").order_by("edited_at", "pk"):
        detail = edit.get_field_display()
        if edit.stage_name:
            detail = _("%(field)s（%(stage)s）") % {"field": detail, "stage": edit.stage_name}
        if edit.field in (ItemEdit.Field.ATTACHMENT_ADDED, ItemEdit.Field.ATTACHMENT_REMOVED):
            detail = "%s：%s" % (detail, edit.after or edit.before)
            diff = []
        else:
            diff = text_diff(edit.before, edit.after)
        out.append({"at": edit.edited_at, "who": edit.edited_by, "detail": detail, "diff": diff})
    return out
