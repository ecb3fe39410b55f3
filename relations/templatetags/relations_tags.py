"""Template tags: the external unit's relations section (portal and admin
change page) and the home card's counts, read through the selectors."""
from django import template

from portal.home_figures import home_figures

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def unit_relations(context, unit) -> dict:
    """{"visits", "occurrences"} of ``unit`` the request's user may see."""
    user = context["request"].user
    return {"visits": selectors.unit_visits(user, unit), "occurrences": selectors.unit_occurrences(user, unit)}


@register.simple_tag(takes_context=True)
def relations_home(context) -> dict | None:
    """The home card's figures, or None for users the card is not for
    (relations.home_figures, the home page's one statement)."""
    user = context["request"].user
    if not user.is_authenticated:
        return None
    return home_figures(context["request"])["relations"]
