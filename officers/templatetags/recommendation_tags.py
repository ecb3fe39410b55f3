from django import template

from ..models import Recommendation
from ..recommendations import decides_recommendations, recommending_units
from ..roles import roles_of

register = template.Library()


@register.simple_tag(takes_context=True)
def recommendation_home_counts(context):
    """The 联络员推荐 card: open recommendations to decide (secretariat, HR)
    and the user's units' open ones (heads, officers). None for others."""
    user = context["request"].user
    if not user.is_authenticated:
        return None
    decides = decides_recommendations(user)
    roles = roles_of(user)
    units = roles.headed_unit_ids | roles.officer_unit_ids
    if not (decides or units):
        return None
    open_rows = Recommendation.objects.filter(state__in=Recommendation.OPEN_STATES)
    return {
        "to_decide": open_rows.exclude(recommended_by=user).count() if decides else 0,
        "open_mine": open_rows.filter(unit_id__in=units).count() if units else 0,
        "may_recommend": bool(units) and recommending_units(user).exists(),
    }
