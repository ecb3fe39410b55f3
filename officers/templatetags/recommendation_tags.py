from django import template

from portal.home_figures import home_figures

register = template.Library()


@register.simple_tag(takes_context=True)
def recommendation_home_counts(context):
    """The 联络员推荐 card: open recommendations to decide (secretariat, HR)
    and the user's units' open ones (heads, officers). None for others
    (officers.home_figures, the home page's one statement)."""
    user = context["request"].user
    if not user.is_authenticated:
        return None
    return home_figures(context["request"])["recommendations"]
