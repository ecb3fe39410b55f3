"""Template tags for the bulletin's blocks on other pages (the home card,
the bulletin page /bulletin/)."""
from django import template

from portal.home_figures import home_figures

from ..permissions import can_compile
from ..selectors import published_issues

register = template.Library()


@register.simple_tag(takes_context=True)
def latest_briefs(context, limit=5):
    """The newest published issues the request's user may read (one query)."""
    request = context.get("request")
    return published_issues(getattr(request, "user", None), limit=limit) if request else []


@register.simple_tag(takes_context=True)
def briefs_compiles(context):
    request = context.get("request")
    return bool(request) and can_compile(request.user)


@register.simple_tag(takes_context=True)
def briefs_home(context):
    """The home card's newest issue for the secretariat ({"newest": issue or
    None}), None for everyone else: briefs.home_figures, part of the home
    page's one statement."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None
    return home_figures(request)["briefs"]
