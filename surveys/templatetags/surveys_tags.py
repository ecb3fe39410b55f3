from django import template

from portal.home_figures import home_figures

register = template.Library()


@register.simple_tag(takes_context=True)
def surveys_home_card(context):
    """The home card's numbers: shown to the secretariat always, to others when a
    survey waits for their answer (surveys.home_figures, the home page's one statement)."""
    user = context["request"].user
    if not user.is_authenticated:
        return None
    return home_figures(context["request"])["surveys"]
