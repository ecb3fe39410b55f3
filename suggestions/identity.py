"""The one way to the writer of a case (issue 17 §3).

``Identity`` rows are read here only: ``identity_for(case, user)`` answers
the writer of a signed case to a named handler of the case's box and refuses
everyone else — the assigned unit, reward approvers, auditors, the
superuser. ``cases_signed_by(user)`` gives a writer their own signed cases
(the portal's "my submissions"). Nothing else imports Identity for reading.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied

from .models import Case, Handler, Identity


def may_see_identity(user, box: str) -> bool:
    """Whether ``user`` is a named handler (not an approver) of ``box``."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Handler.objects.filter(box=box, user=user, role=Handler.Role.HANDLER, user__is_active=True).exists()


def identity_for(*, case: Case, user) -> Identity | None:
    """The writer of ``case`` (None if it is anonymous). Raises
    PermissionDenied unless ``user`` is a named handler of the case's box."""
    if not may_see_identity(user, case.box):
        raise PermissionDenied
    if not case.signed:
        return None
    return Identity.objects.filter(case=case).first()


def record_identity(*, case: Case, user, contact: str = "") -> Identity:
    """Store the writer of a signed case (called by submit_case only)."""
    profile = getattr(user, "profile", None)
    unit = getattr(profile, "unit", None) if profile is not None else None
    return Identity.objects.create(
        case=case, user=user, name=user.get_full_name() or user.get_username(),
        unit_name=unit.name if unit is not None else "", contact=contact,
    )


def cases_signed_by(user):
    """The signed cases ``user`` wrote, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return Case.objects.filter(pk__in=Identity.objects.filter(user=user).values("case_id")).select_related(
        "category", "reward")
