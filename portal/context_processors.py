from infoflow.permissions import can_register_incoming, may_draft
from liaison.notifications import unread_count
from liaison.workdays import missing_years
from officers.roles import roles_of


def portal(request):
    """What the base layout needs on every page: the user's roles and the
    secretariat's calendar warning."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = roles_of(user)
    context = {"my_roles": roles}
    # Menu entries and buttons only for those who may use them (issue 10 §6.7).
    context["may_draft"] = may_draft(user)
    context["may_register_incoming"] = can_register_incoming(user)
    # The header bell on every page: one COUNT on (recipient, read_at).
    context["unread_notifications"] = unread_count(user)
    if roles.is_secretariat or user.is_superuser:
        context["calendar_missing_years"] = missing_years()
    return context
