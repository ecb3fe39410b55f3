"""Template tags for the home page cards of the information items."""
from django import template

from ..home_counts import home_counts, request_acting_ids

register = template.Library()


@register.simple_tag(takes_context=True)
def infoflow_home_counts(context):
    """The counts behind the home cards (a few aggregate queries), so the
    home page needs no change of its own context to show them."""
    request = context["request"]
    if not request.user.is_authenticated:
        return None
    return home_counts(request.user, acting=request_acting_ids(request))
