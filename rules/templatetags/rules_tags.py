from django import template

from portal.home_figures import home_figures

register = template.Library()


@register.simple_tag(takes_context=True)
def rules_home_counts(context):
    """The 待确认的制度 card: the user's pending confirmations; for the
    secretariat also every officer's open ones and the documents due for
    revision. None for a user the card does not concern (rules.home_figures)."""
    user = context["request"].user
    if not user.is_authenticated:
        return None
    return home_figures(context["request"])["rules"]
