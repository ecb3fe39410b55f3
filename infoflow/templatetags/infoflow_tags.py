"""Template tags for the home page cards of the information items."""
from django import template

from ..home_counts import home_counts

register = template.Library()


@register.simple_tag(takes_context=True)
def infoflow_home_counts(context):
    """The counts behind the home cards (a few aggregate queries), so the
    home page needs no change of its own context to show them."""
    user = context["request"].user
    if not user.is_authenticated:
        return None
    return home_counts(user)
