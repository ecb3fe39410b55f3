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
    request = context["request"]
    if not request.user.is_authenticated:
        return None
    return request_bulletin_latest(request, count)


def request_bulletin_latest(request, count: int = 3) -> list:
    """``bulletin_latest_rows(count)`` once a request: the home page's kept
    cards (portal.templatetags.portal_tags.home_cards) read them for their
    key before the card's tag shows them."""
    kept = getattr(request, "_bulletin_latest", None)
    if kept is None:
        kept = request._bulletin_latest = {}
    if count not in kept:
        kept[count] = bulletin_latest_rows(count)
    return kept[count]
