from django import template

from ..selectors import home_counts

register = template.Library()


@register.simple_tag(takes_context=True)
def followup_home_counts(context):
    """The 待阅 and task counts behind the home card (two small queries), so
    the home page needs no change of its own context to show them."""
    user = context["request"].user
    if not user.is_authenticated:
        return None
    return home_counts(user)
