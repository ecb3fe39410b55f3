"""The home card of meetings, action items and inductions: its counts come
from one aggregate query per source, so the home page needs no change of
its own context."""
from django import template
from django.db.models import Count, Q
from django.utils import timezone

from ..meeting_models import ActionItem, Induction, Invitation, Meeting
from ..meetings import can_manage

register = template.Library()


@register.simple_tag(takes_context=True)
def meetings_home_counts(context):
    """{"to_answer", "upcoming", "actions", "late_actions", "manages",
    "inductions", "late_inductions"} for the user, or None when there is
    nothing to show (no invitation, action item or role)."""
    user = context["request"].user
    if not user.is_authenticated:
        return None
    now = timezone.now()
    invites = Invitation.objects.filter(
        user=user, meeting__starts_at__gt=now,
        meeting__state__in=(Meeting.State.PLANNED, Meeting.State.NOTIFIED)).aggregate(
        upcoming=Count("pk"), to_answer=Count("pk", filter=Q(response=Invitation.Response.PENDING,
                                                            meeting__state=Meeting.State.NOTIFIED)))
    actions = ActionItem.objects.filter(owner=user, done_at__isnull=True).aggregate(
        open=Count("pk"), late=Count("pk", filter=Q(due_at__lt=now)))
    out = {"upcoming": invites["upcoming"], "to_answer": invites["to_answer"], "actions": actions["open"],
           "late_actions": actions["late"], "manages": can_manage(user)}
    if out["manages"]:
        today = timezone.localdate()
        due = Induction.objects.filter(done_on__isnull=True, officer__status="active").aggregate(
            open=Count("pk"), late=Count("pk", filter=Q(due_on__lt=today)))
        out.update(inductions=due["open"], late_inductions=due["late"])
    if not (out["upcoming"] or out["actions"] or out["manages"]):
        return None
    return out
