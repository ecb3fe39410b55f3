"""Tags other apps' templates use: the corrections linked to an archived
record (the record is never changed; the link is shown from it) and the
bulletin's newest releases for the home card."""
from django import template

from ..selectors import bulletin_releases, corrections_of_record

register = template.Library()


@register.inclusion_tag("publication/_record_corrections.html", takes_context=True)
def record_corrections(context, record):
    """The corrections and retractions of an archived record's item that the
    user may see (one query)."""
    return {"corrections": list(corrections_of_record(record, context["request"].user))}


@register.simple_tag(takes_context=True)
def bulletin_latest(context, count: int = 3):
    """The newest releases on the bulletin for the home card (one query), or
    None for an anonymous user."""
    user = context["request"].user
    if not user.is_authenticated:
        return None
    # Only what the card shows (the release's id and date, the item's
    # subject): the bulletin's joins and the whole item row cost the home
    # page as much again as its query (issue 12).
    latest = (bulletin_releases().select_related(None).select_related("item")
              .only("id", "first_released_at", "item__id", "item__subject"))
    return list(latest[:count])
