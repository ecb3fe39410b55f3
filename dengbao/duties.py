"""Who holds which administrator duty, and what level 3 asks of them.

``LIAISON_SECURITY_LEVEL`` (settings.SECURITY_LEVEL, 2 by default) switches
the level-3 behaviour on; at level 2 nothing here refuses anything.
"""
from django.conf import settings
from django.contrib.auth import get_user_model

from officers.models import RoleAssignment

from .models import AdminDuty

Duty = AdminDuty.Duty
User = get_user_model()

_CACHE_ATTR = "_dengbao_duties"


def level3() -> bool:
    """True when the deployment runs in 等保 level-3 mode (LIAISON_SECURITY_LEVEL=3)."""
    return getattr(settings, "SECURITY_LEVEL", 2) >= 3


def duties_of(user) -> frozenset:
    """The administrator duties ``user`` holds (Duty values), one query,
    cached on the user for the request. The supervision role counts as the
    auditor's duty."""
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    found = set(AdminDuty.objects.filter(user_id=user.pk).values_list("duty", flat=True))
    if RoleAssignment.objects.filter(user_id=user.pk, role=RoleAssignment.Role.SUPERVISION).exists():
        found.add(Duty.AUDIT)
    duties = frozenset(found)
    setattr(user, _CACHE_ATTR, duties)
    return duties


def forget(user) -> None:
    """Drop the cached duties (after assigning or revoking one)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def administers(user) -> bool:
    """Staff with admin, security or audit rights (admin access, superuser,
    any administrator duty) and HR, who manage accounts from the directory's
    pages (deactivation, contacts imports): the people the second factor
    is for. At most one query (HR's role) after the cached duties."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser or duties_of(user):
        return True
    return user.roles.filter(role=RoleAssignment.Role.HR_ADMIN).exists()


def needs_second_factor(user) -> bool:
    """Level 3: whoever ``administers`` must pass a TOTP second factor
    (GB/T 22239-2019 8.1.4.1 d: two factors for administrators)."""
    return level3() and administers(user)


def refused_audit_log(user) -> bool:
    """Level 3: the system and security administrators may not read the audit
    log (only the auditor does), even when they are superusers."""
    return level3() and bool(duties_of(user) & {Duty.SYSTEM, Duty.SECURITY})


def holders_of_two() -> list[tuple]:
    """Everyone who holds two or more of the three duties: a list of
    (user, sorted duty values), ordered by username. Two queries."""
    held: dict[int, set] = {}
    for user_id, duty in AdminDuty.objects.values_list("user_id", "duty"):
        held.setdefault(user_id, set()).add(duty)
    for user_id in RoleAssignment.objects.filter(role=RoleAssignment.Role.SUPERVISION).values_list(
        "user_id", flat=True
    ):
        held.setdefault(user_id, set()).add(Duty.AUDIT)
    twice = {uid: duties for uid, duties in held.items() if len(duties) > 1}
    users = User.objects.filter(pk__in=twice).order_by("username")
    return [(user, sorted(twice[user.pk])) for user in users]


def summary() -> dict[str, int]:
    """How many people hold each duty (Duty value → count), supervision role included."""
    counts = {}
    for duty in Duty:
        users = set(AdminDuty.objects.filter(duty=duty).values_list("user_id", flat=True))
        if duty == Duty.AUDIT:
            users |= set(
                RoleAssignment.objects.filter(role=RoleAssignment.Role.SUPERVISION).values_list("user_id", flat=True)
            )
        counts[duty.value] = len(users)
    return counts
