from django import template
from django.db.models import Count, Q

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
    # Both counts of the open recommendations in one aggregate (issue 12).
    wanted = {}
    if decides:
        wanted["to_decide"] = Count("pk", filter=~Q(recommended_by=user))
    if units:
        wanted["open_mine"] = Count("pk", filter=Q(unit_id__in=units))
    counts = Recommendation.objects.filter(state__in=Recommendation.OPEN_STATES).aggregate(**wanted)
    return {
        "to_decide": counts.get("to_decide", 0),
        "open_mine": counts.get("open_mine", 0),
        "may_recommend": bool(units) and recommending_units(user).exists(),
    }
