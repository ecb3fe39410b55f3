from django import template

from infoflow.home_counts import request_acting_ids  # the delegations in force, once a request

from ..selectors import home_counts

register = template.Library()


@register.simple_tag(takes_context=True)
def followup_home_counts(context):
    """The 待阅 and task counts behind the home card (one statement), so
    the home page needs no change of its own context to show them."""
    request = context["request"]
    if not request.user.is_authenticated:
        return None
    return home_counts(request.user, acting=request_acting_ids(request))
