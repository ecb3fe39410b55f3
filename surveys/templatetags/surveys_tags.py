from django import template

from ..selectors import home_count, manages_surveys

register = template.Library()


@register.simple_tag(takes_context=True)
def surveys_home_card(context):
    """The home card's numbers (one count query): shown to the secretariat always, to others when a
    survey waits for their answer."""
    user = context["request"].user
    if not user.is_authenticated:
        return None
    manages = manages_surveys(user)
    todo = home_count(user)
    if not todo and not manages:
        return None
    return {"todo": todo, "manages": manages}
