"""Reads of the organisation, with their joins."""
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, Q

from .models import Officer, OrgUnit


def role_holders(*roles):
    """Active users holding any of the organisation-wide ``roles``, by primary key."""
    return list(get_user_model().objects.filter(is_active=True, roles__role__in=roles).distinct().order_by("pk"))


def active_officers():
    return Officer.objects.filter(status=Officer.Status.ACTIVE)


def units_without_active_officer():
    """Active units with no active officer: the domain flags them."""
    return OrgUnit.objects.filter(is_active=True).exclude(
        Exists(active_officers().filter(unit=OuterRef("pk")))
    ).order_by("sort_order", "code")


def officer_directory(query: str = ""):
    """Units with their active officers (and those officers' duties), heads and
    leaders, in a fixed number of queries."""
    officers = active_officers().select_related("user").prefetch_related("duties").order_by("-is_primary", "appointed_on")
    units = (
        OrgUnit.objects.filter(is_active=True)
        .select_related("head", "supervising_leader", "parent")
        .prefetch_related(Prefetch("officers", queryset=officers, to_attr="active_officers"))
        .order_by("sort_order", "code")
    )
    if query:
        units = units.filter(
            Q(name__icontains=query)
            | Q(code__icontains=query)
            | Q(officers__user__first_name__icontains=query)
            | Q(officers__user__last_name__icontains=query)
            | Q(officers__phone__icontains=query)
        ).distinct()
    return units
