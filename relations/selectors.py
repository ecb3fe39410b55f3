"""Who sees which visit, obligation and member change (issue 19 §3–4), and
the list queries with their joins. Every page, count, admin queryset, the
external unit's section and the assessment start from these functions: a row
outside them is the same 404 as a missing one.

* The secretariat, supervision, the general manager and superusers see all
  visits and obligations.
* Officers, heads and supervising leaders see those of their units (the
  visiting unit, the unit responsible for the external unit, the owner unit of
  an obligation); everyone sees what names them (visitor, action owner,
  recorder, person responsible for an obligation or an external unit).
* Member changes: the (association) secretariat, supervision and superusers
  all; a member unit's officers and head their unit's own.
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from officers.models import OrgUnit, RoleAssignment
from officers.roles import roles_of

from .models import FollowUpAction, MemberChange, MemberProfile, Obligation, Occurrence, Visit


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def sees_all_relations(user) -> bool:
    """Secretariat, supervision, the general manager and superusers."""
    if not _signed_in(user):
        return False
    r = roles_of(user)
    return user.is_superuser or r.is_secretariat or r.is_supervision or r.is_general_manager


def unit_ids_of(user) -> set[int]:
    """The units a user answers for: officer posts, headed and supervised units."""
    r = roles_of(user)
    return set(r.officer_unit_ids) | set(r.headed_unit_ids) | set(r.supervised_unit_ids)


def reviews_member_changes(user) -> bool:
    """The secretariat and the association's secretariat review member changes (seed 003)."""
    if not _signed_in(user):
        return False
    r = roles_of(user)
    return r.is_secretariat or r.has(RoleAssignment.Role.ASSOCIATION_SECRETARIAT)


# --- visits ----------------------------------------------------------------------------


_VISITORS = Visit.visitors.through._meta.db_table
_ACTIONS = FollowUpAction._meta.db_table


def visits_visible_to(user) -> QuerySet:
    """Visits ``user`` may see (module docstring)."""
    visits = Visit.objects.all()
    if not _signed_in(user):
        return visits.none()
    if sees_all_relations(user):
        return visits
    units = unit_ids_of(user)
    # The visitor and action-owner rules as plain subqueries: the same rows as
    # Exists over the two tables, without building two querysets a request.
    mine = (Q(recorded_by=user) | Q(external_unit__responsible_user=user)
            | Q(pk__in=RawSQL(f"SELECT visit_id FROM {_VISITORS} WHERE user_id = %s", [user.pk]))
            | Q(pk__in=RawSQL(f"SELECT visit_id FROM {_ACTIONS} WHERE owner_id = %s", [user.pk])))
    if units:
        mine |= Q(unit_id__in=units) | Q(external_unit__responsible_unit_id__in=units)
    return visits.filter(mine)


def visits_found(user, query: str = "", unit_id: int | None = None) -> QuerySet:
    """Visible visits matching the list page's search (plain rows: count them
    here, ``with_counts`` gives the page's)."""
    visits = visits_visible_to(user)
    if query:
        visits = visits.filter(Q(external_unit__name__icontains=query) | Q(contact__name__icontains=query)
                               | Q(purpose__icontains=query) | Q(findings__icontains=query))
    if unit_id:
        visits = visits.filter(external_unit_id=unit_id)
    return visits


def with_counts(visits: QuerySet) -> QuerySet:
    """``visits`` for the list page: newest first, with their follow-up counts
    and joins (a fixed number of queries)."""
    now = timezone.now()
    return visits.select_related("external_unit", "contact", "unit").annotate(
        action_total=Count("actions", distinct=True),
        open_total=Count("actions", filter=Q(actions__done_at__isnull=True), distinct=True),
        late_total=Count("actions", filter=Q(actions__done_at__isnull=True, actions__due_at__lt=now),
                         distinct=True),
    ).prefetch_related("visitors").order_by("-visited_on", "-pk")


def visit_list(user, query: str = "", unit_id: int | None = None) -> QuerySet:
    """Visible visits for the list page: newest first, searchable by external
    unit, contact, purpose and findings, with their counts (a fixed number of
    queries)."""
    return with_counts(visits_found(user, query, unit_id))


def visit_detail(user) -> QuerySet:
    return visits_visible_to(user).select_related("external_unit", "contact", "unit", "recorded_by").prefetch_related(
        "visitors", Prefetch("actions", FollowUpAction.objects.select_related("owner", "done_by")))


def actions_visible_to(user) -> QuerySet:
    return FollowUpAction.objects.filter(visit__in=visits_visible_to(user))


def my_open_actions(user) -> QuerySet:
    """Open follow-up actions ``user`` owns, soonest first."""
    if not _signed_in(user):
        return FollowUpAction.objects.none()
    return (FollowUpAction.objects.filter(owner=user, done_at__isnull=True)
            .select_related("visit__external_unit").order_by("due_at", "pk"))


def my_open_action_rows(user, limit: int = 10) -> list[dict]:
    """The first ``limit`` of ``my_open_actions`` as the list page shows them:
    visit_id, text, due_at and the external unit's name (``unit_name``)."""
    if not _signed_in(user):
        return []
    return list(FollowUpAction.objects.filter(owner=user, done_at__isnull=True).order_by("due_at", "pk")
                .values("visit_id", "text", "due_at", unit_name=F("visit__external_unit__name"))[:limit])


# --- obligations --------------------------------------------------------------------------


def obligations_visible_to(user) -> QuerySet:
    """Obligations ``user`` may see (module docstring)."""
    obligations = Obligation.objects.all()
    if not _signed_in(user):
        return obligations.none()
    if sees_all_relations(user):
        return obligations
    units = unit_ids_of(user)
    mine = Q(owner_user=user) | Q(body__responsible_user=user)
    if units:
        mine |= Q(owner_unit_id__in=units) | Q(body__responsible_unit_id__in=units)
    return obligations.filter(mine)


def occurrences_visible_to(user) -> QuerySet:
    return Occurrence.objects.filter(obligation__in=obligations_visible_to(user))


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """[first day, first day of next month)."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following


def occurrence_list(user, *, month: dt.date | None = None, query: str = "", state: str = "") -> QuerySet:
    """Visible occurrences of one month (all when ``month`` is None), by due
    date, searchable by body, title and owner; ``state``: open / late / done."""
    rows = occurrences_visible_to(user).select_related(
        "obligation__body", "obligation__owner_unit", "obligation__owner_user", "done_by")
    if month is not None:
        first, following = month_bounds(month)
        rows = rows.filter(due_on__gte=first, due_on__lt=following)
    if query:
        rows = rows.filter(Q(obligation__body__name__icontains=query) | Q(obligation__title__icontains=query)
                           | Q(obligation__owner_unit__name__icontains=query)
                           | Q(obligation__owner_user__first_name__icontains=query))
    today = timezone.localdate()
    if state == "open":
        rows = rows.filter(done_at__isnull=True)
    elif state == "late":
        rows = rows.filter(done_at__isnull=True, due_on__lt=today)
    elif state == "done":
        rows = rows.filter(done_at__isnull=False)
    return rows.order_by("due_on", "obligation__body__name", "pk")


def occurrence_detail(user) -> QuerySet:
    return occurrences_visible_to(user).select_related(
        "obligation__body", "obligation__owner_unit", "obligation__owner_user", "done_by")


# --- external units ----------------------------------------------------------------------


def unit_visits(user, external_unit, limit: int = 10) -> list:
    """The latest visible visits to one external unit (the external unit's page)."""
    return list(visits_visible_to(user).filter(external_unit=external_unit).select_related("unit", "contact")
                .order_by("-visited_on", "-pk")[:limit])


def unit_occurrences(user, external_unit, limit: int = 10) -> list:
    """The open visible occurrences owed to one external body, soonest first."""
    return list(occurrences_visible_to(user).filter(obligation__body=external_unit, done_at__isnull=True)
                .select_related("obligation").order_by("due_on", "pk")[:limit])


# --- member units ---------------------------------------------------------------------------


def member_units_of(user) -> QuerySet:
    """Member units ``user`` reports for (active officer posts)."""
    if not _signed_in(user):
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(kind=OrgUnit.Kind.MEMBER, is_active=True,
                                  pk__in=roles_of(user).officer_unit_ids).order_by("sort_order", "code")


def member_changes_visible_to(user) -> QuerySet:
    changes = MemberChange.objects.all()
    if not _signed_in(user):
        return changes.none()
    r = roles_of(user)
    if user.is_superuser or reviews_member_changes(user) or r.is_supervision:
        return changes
    units = set(r.officer_unit_ids) | set(r.headed_unit_ids)
    return changes.filter(unit_id__in=units) if units else changes.none()


def member_change_list(user, query: str = "", state: str = "") -> QuerySet:
    changes = member_changes_visible_to(user).select_related("unit", "submitted_by", "decided_by")
    if query:
        changes = changes.filter(Q(unit__name__icontains=query) | Q(name__icontains=query)
                                 | Q(explanation__icontains=query))
    if state in MemberChange.State.values:
        changes = changes.filter(state=state)
    return changes.order_by("-submitted_at", "-pk")


def profiles_visible_to(user) -> QuerySet:
    profiles = MemberProfile.objects.select_related("unit")
    if not _signed_in(user):
        return profiles.none()
    r = roles_of(user)
    if user.is_superuser or reviews_member_changes(user) or r.is_supervision:
        return profiles
    units = set(r.officer_unit_ids) | set(r.headed_unit_ids)
    return profiles.filter(unit_id__in=units) if units else profiles.none()
