"""Who sees which incident (issue 19 §6). Every page, count, link and export
starts from ``incidents_visible_to``:

* the secretariat and supervision (监督/审计, officers' ``supervision`` role) see every incident;
* anyone else sees the incidents they registered (reporter) or were named to handle;
* nobody else — the superuser included (三员分立: the system administrator holds no business role).

Other apps (the 等保 access review in dengbao/) may link to incidents
through this function and the URL name ``incidents:list``.
"""
from __future__ import annotations

from django.db.models import Q, QuerySet

from officers.roles import roles_of

from .models import Incident


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def oversees_incidents(user) -> bool:
    """The secretariat or supervision: sees every incident."""
    if not _active(user):
        return False
    roles = roles_of(user)
    return roles.is_secretariat or roles.is_supervision


def manages_incidents(user) -> bool:
    """The secretariat: assigns handlers, changes severity, closes and reopens any incident."""
    return _active(user) and roles_of(user).is_secretariat


def incidents_visible_to(user) -> QuerySet:
    """The incidents ``user`` may open, with what list rows show joined."""
    if not _active(user):
        return Incident.objects.none()
    qs = Incident.objects.select_related("severity", "handler", "reporter")
    if oversees_incidents(user):
        return qs
    return qs.filter(Q(reporter=user) | Q(handler=user))


def handles(user, incident: Incident) -> bool:
    """Whether ``user`` may record measures, reports and the conclusion: the handler or the secretariat."""
    return _active(user) and (incident.handler_id == user.pk or manages_incidents(user))


def may_reopen(user) -> bool:
    """The secretariat and supervision reopen a closed incident (with a reason)."""
    return oversees_incidents(user)


def search(qs: QuerySet, *, q: str = "", state: str = "", severity: str = "") -> QuerySet:
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(system__icontains=q))
    if state in Incident.State.values:
        qs = qs.filter(state=state)
    if severity.isdigit():
        qs = qs.filter(severity_id=int(severity))
    return qs
