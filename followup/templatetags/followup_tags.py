from django import template

from portal.home_figures import home_figures

register = template.Library()


@register.simple_tag(takes_context=True)
def followup_home_counts(context):
    """The 待阅 and task counts behind the home card (one statement), so
    the home page needs no change of its own context to show them (part of
    the home page's one statement: portal.home_figures)."""
    request = context["request"]
    if not request.user.is_authenticated:
        return None
    return home_figures(request)["followup"]
