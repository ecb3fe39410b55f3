"""The home page's incident card: open and overdue counts for the
secretariat and supervision, one's own open incidents for anyone else
(incidents_visible_to counted: incidents.home_figures, part of the home
page's one statement)."""
from django import template

from portal.home_figures import home_figures

register = template.Library()


@register.simple_tag(takes_context=True)
def incidents_home(context):
    """The incident card's open and overdue counts (incidents.home_figures)."""
    user = context["request"].user
    if not user.is_authenticated:
        return None
    return home_figures(context["request"])["incidents"]
