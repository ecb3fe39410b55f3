"""The home page's incident card: open and overdue counts for the
secretariat and supervision, one's own open incidents for anyone else
(counted through incidents_visible_to)."""
from django import template
from django.db.models import Count, Q
from django.utils import timezone

from ..models import Incident
from ..selectors import incidents_visible_to, oversees_incidents

register = template.Library()


@register.simple_tag(takes_context=True)
def incidents_home(context):
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return None
    counts = incidents_visible_to(user).filter(state__in=Incident.OPEN_STATES).aggregate(
        open=Count("pk"), late=Count("pk", filter=Q(due_at__lt=timezone.now())))
    oversees = oversees_incidents(user)
    if not oversees and not counts["open"]:
        return None  # everyone else reaches the register from the menu
    return {"oversees": oversees, **counts}
