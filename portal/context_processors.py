from django.db import connection

from infoflow.permissions import can_register_incoming, may_draft
from liaison.models import Notification
from liaison.workdays import missing_years
from officers.roles import roles_of

_UNREAD_SQL = None


def unread_notifications(user) -> int:
    """liaison.notifications.unread_count (unread = no read_at) as one plain
    statement: the ORM's count cost a third of a bare page on every request
    (issue 12). One COUNT on the (recipient, read_at) index."""
    global _UNREAD_SQL
    if _UNREAD_SQL is None:
        recipient = Notification._meta.get_field("recipient").column
        read_at = Notification._meta.get_field("read_at").column
        _UNREAD_SQL = (
            f"SELECT COUNT(*) FROM {Notification._meta.db_table} WHERE {recipient} = %s AND {read_at} IS NULL"
        )
    with connection.cursor() as cursor:
        cursor.execute(_UNREAD_SQL, [user.pk])
        return cursor.fetchone()[0]


def portal(request):
    """What the base layout needs on every page: the user's roles and the
    secretariat's calendar warning. Worked out once per request: a page that
    renders fragments with the request (the item page's panels) runs the
    context processors for each, and the bell's COUNT with them (issue 12)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(request, "_portal_context", None)
    if cached is not None and cached[0] == user.pk:
        return dict(cached[1])
    roles = roles_of(user)
    context = {"my_roles": roles}
    # Menu entries and buttons only for those who may use them (issue 10 §6.7).
    context["may_draft"] = may_draft(user)
    context["may_register_incoming"] = can_register_incoming(user)
    # The header bell on every page: one COUNT on (recipient, read_at).
    context["unread_notifications"] = unread_notifications(user)
    if roles.is_secretariat or user.is_superuser:
        context["calendar_missing_years"] = missing_years()
    request._portal_context = (user.pk, context)
    return dict(context)
