from django import template
from django.utils import timezone

from officers.roles import roles_of

from ..models import ReadConfirmation, RuleDocument, RuleVersion
from ..selectors import manages_rules, pending_for

register = template.Library()


@register.simple_tag(takes_context=True)
def rules_home_counts(context):
    """The 待确认的制度 card: the user's pending confirmations; for the
    secretariat also every officer's open ones and the documents due for
    revision. None for a user the card does not concern (no officer post, not
    the secretariat, nothing pending)."""
    user = context["request"].user
    if not user.is_authenticated:
        return None
    pending = pending_for(user).count()
    manages = manages_rules(user)
    if not (pending or manages or roles_of(user).is_officer):
        return None
    counts = {"pending": pending, "manages": manages}
    if manages:
        counts["unconfirmed"] = ReadConfirmation.objects.filter(
            confirmed_at__isnull=True, version__state=RuleVersion.State.CURRENT,
            version__document__is_active=True).count()
        counts["revision_due"] = RuleDocument.objects.filter(
            is_active=True, revision_due_on__lte=timezone.localdate()).count()
    return counts
