"""Who sees which report to leaders (issue 19 §7): the secretariat sees
every report; a leader the report was sent to (``Addressee``) sees that
report; nobody else (the superuser included). Every page, download and
count starts from ``reports_visible_to``."""
from __future__ import annotations

from django.db.models import QuerySet

from officers.roles import roles_of

from .models import Addressee, Report


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def may_generate(user) -> bool:
    """The secretariat makes reports by hand (the sweep makes the monthly one by itself)."""
    return _active(user) and roles_of(user).is_secretariat


def reports_visible_to(user) -> QuerySet:
    if not _active(user):
        return Report.objects.none()
    qs = Report.objects.defer("data")
    if roles_of(user).is_secretariat:
        return qs
    return qs.filter(pk__in=Addressee.objects.filter(user=user).values("report_id"))


def may_see_reports(user) -> bool:
    """Whether the menu's entry opens something for ``user``: the secretariat, or a leader sent a report."""
    return may_generate(user) or (_active(user) and Addressee.objects.filter(user=user).exists())
