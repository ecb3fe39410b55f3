"""``{% my_phrases as phrases %}``: the signed-in user's 常用语 (their own,
then the defaults) for the phrase picker of the review forms."""
from django import template

from ..services.phrases import phrases_for

register = template.Library()


@register.simple_tag(takes_context=True)
def my_phrases(context) -> list[str]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return phrases_for(user)
