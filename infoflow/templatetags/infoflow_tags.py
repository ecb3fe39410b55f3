"""Template tags for the home page cards of the information items."""
from django import template

from portal.home_figures import home_figures

register = template.Library()


@register.simple_tag(takes_context=True)
def infoflow_home_counts(context):
    """The counts behind the home cards (``home_counts``, part of the home
    page's one statement: portal.home_figures), so the home page needs no
    change of its own context to show them."""
    request = context["request"]
    if not request.user.is_authenticated:
        return None
    return home_figures(request)["infoflow"]
