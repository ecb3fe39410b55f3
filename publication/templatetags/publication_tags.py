"""Tags other apps' templates use: the corrections linked to an archived
record (the record is never changed; the link is shown from it) and the
bulletin's newest releases for the home card."""
from django import template

from ..selectors import bulletin_latest_rows, corrections_of_record

register = template.Library()


@register.inclusion_tag("publication/_record_corrections.html", takes_context=True)
def record_corrections(context, record):
    """The corrections and retractions of an archived record's item that the
    user may see (one query)."""
    return {"corrections": list(corrections_of_record(record, context["request"].user))}


@register.simple_tag(takes_context=True)
def bulletin_latest(context, count: int = 3):
    """The newest releases on the bulletin for the home card (one query), or
    None for an anonymous user: ``bulletin_releases()``'s first ``count``
    rows as (pk, first_released_at, item.subject) (``selectors.bulletin_latest_rows``)."""
    user = context["request"].user
    if not user.is_authenticated:
        return None
    return bulletin_latest_rows(count)
