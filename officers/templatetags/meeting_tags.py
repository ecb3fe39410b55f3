"""The home card of meetings, action items and inductions: its counts are
part of the home page's one statement (officers.home_figures), so the home
page needs no change of its own context."""
from django import template

from portal.home_figures import home_figures

register = template.Library()


@register.simple_tag(takes_context=True)
def meetings_home_counts(context):
    """{"to_answer", "upcoming", "actions", "late_actions", "manages",
    "inductions", "late_inductions"} for the user, or None when there is
    nothing to show (officers.home_figures, the home page's one statement)."""
    user = context["request"].user
    if not user.is_authenticated:
        return None
    return home_figures(context["request"])["meetings"]
