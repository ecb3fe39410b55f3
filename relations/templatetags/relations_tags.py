"""Template tags: the external unit's relations section (portal and admin
change page) and the home card's counts, read through the selectors."""
import datetime as dt

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from .. import permissions, selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def unit_relations(context, unit) -> dict:
    """{"visits", "occurrences"} of ``unit`` the request's user may see."""
    user = context["request"].user
    return {"visits": selectors.unit_visits(user, unit), "occurrences": selectors.unit_occurrences(user, unit)}


@register.simple_tag(takes_context=True)
def relations_home(context) -> dict | None:
    """The home card's figures, or None for users the card is not for."""
    user = context["request"].user
    sees_all = selectors.sees_all_relations(user)
    records = permissions.can_record_visit(user)
    members = selectors.member_units_of(user).exists() or selectors.reviews_member_changes(user)
    if not (sees_all or records or members):
        return None
    today = timezone.localdate()
    # Both counts of the open occurrences in one aggregate (one query fewer
    # on every home page; issue 12).
    occurrences = selectors.occurrences_visible_to(user).filter(done_at__isnull=True).aggregate(
        due_soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=today + dt.timedelta(days=30))),
        late=Count("pk", filter=Q(due_on__lt=today)))
    return {
        "actions": selectors.my_open_actions(user).count(),
        "due_soon": occurrences["due_soon"],
        "late": occurrences["late"],
        "to_review": (selectors.member_change_list(user, state="submitted").count()
                      if selectors.reviews_member_changes(user) else 0),
        "members": members,
    }
