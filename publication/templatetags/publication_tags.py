"""Tags other apps' templates use: the corrections linked to an archived
record (the record is never changed; the link is shown from it)."""
from django import template

from ..selectors import corrections_of_record

register = template.Library()


@register.inclusion_tag("publication/_record_corrections.html")
def record_corrections(record):
    """The corrections and retractions of an archived record's item (one query)."""
    return {"corrections": list(corrections_of_record(record))}
