from django import template

from portal.home_figures import home_figures

register = template.Library()


@register.simple_tag(takes_context=True)
def datacalls_home_counts(context):
    """The 报送任务 card's figures (datacalls.home_figures), from the home page's one statement."""
    user = context["request"].user
    if not user.is_authenticated:
        return None
    return home_figures(context["request"])["datacalls"]
