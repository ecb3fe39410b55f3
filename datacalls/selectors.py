"""Who sees which data call and answer, and the list queries (issue 13 §6).

* The secretariat, supervision and superusers see every call and answer,
  and so does the user who created the call.
* A unit's officers, its head and its supervising leader see the unit's own
  answers, and the occurrences the unit has to answer.
* The call's visibility adds: ``heads`` — the heads of all recipient units
  see every answer of the occurrences their unit answers; ``leaders`` — the
  named leaders (``Call.viewers``) see every answer of the call.

Everything a page or an export shows starts from these querysets, so an
answer outside them is the same 404 as a missing one.
"""
from __future__ import annotations

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from officers.roles import roles_of

from .models import Answer, Call, Occurrence, ReplacementFlag


def manages_calls(user) -> bool:
    """Defines, sends, reminds, returns and closes data calls."""
    roles = roles_of(user)
    return roles.is_superuser or roles.is_secretariat


def sees_all_calls(user) -> bool:
    roles = roles_of(user)
    return roles.is_superuser or roles.is_secretariat or roles.is_supervision


def unit_ids_of(user) -> frozenset:
    """Units whose own answers the user sees: officer posts, headed and supervised units."""
    roles = roles_of(user)
    return frozenset(roles.officer_unit_ids | roles.headed_unit_ids | roles.supervised_unit_ids)


def answering_unit_ids(user) -> frozenset:
    """Units the user may fill and submit answers for: their officer posts and headed units."""
    roles = roles_of(user)
    return frozenset(roles.officer_unit_ids | roles.headed_unit_ids)


def calls_visible_to(user) -> QuerySet:
    if not getattr(user, "is_authenticated", False):
        return Call.objects.none()
    if sees_all_calls(user):
        return Call.objects.all()
    units = unit_ids_of(user)
    concerned = Answer.objects.filter(occurrence__call=OuterRef("pk"), unit_id__in=units)
    own = Call.objects.filter(Q(created_by=user) | Q(viewers=user)).values("pk")
    return Call.objects.filter(Q(pk__in=own) | Q(Exists(concerned)))


def occurrences_visible_to(user) -> QuerySet:
    """Occurrences the user may open (the matrix shows them only the answers
    ``answers_visible_to`` gives)."""
    if not getattr(user, "is_authenticated", False):
        return Occurrence.objects.none()
    if sees_all_calls(user):
        return Occurrence.objects.all()
    units = unit_ids_of(user)
    concerned = Answer.objects.filter(occurrence=OuterRef("pk"), unit_id__in=units)
    own_calls = Call.objects.filter(Q(created_by=user) | Q(viewers=user)).values("pk")
    return Occurrence.objects.filter(Q(call_id__in=own_calls) | Q(Exists(concerned)))


def answers_visible_to(user) -> QuerySet:
    if not getattr(user, "is_authenticated", False):
        return Answer.objects.none()
    if sees_all_calls(user):
        return Answer.objects.all()
    roles = roles_of(user)
    units = unit_ids_of(user)
    # Heads of a recipient unit see the whole occurrence when the call says so.
    headed = Answer.objects.filter(occurrence=OuterRef("occurrence"), unit_id__in=roles.headed_unit_ids)
    open_calls = Call.objects.filter(Q(created_by=user) | Q(viewers=user, visibility=Call.Visibility.LEADERS))
    return Answer.objects.filter(
        Q(unit_id__in=units)
        | Q(occurrence__call_id__in=open_calls.values("pk"))
        | (Q(occurrence__call__visibility=Call.Visibility.HEADS) & Q(Exists(headed)))
    )


def own_first(queryset: QuerySet, user) -> QuerySet:
    """The user's own units first (on a phone the own row is on top)."""
    units = list(unit_ids_of(user))
    return queryset.annotate(
        own=Case(When(unit_id__in=units, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("own", "unit__sort_order", "unit__code")


def sees_flags(user) -> bool:
    roles = roles_of(user)
    return bool(roles.is_superuser or roles.is_secretariat or roles.is_hr or roles.is_supervision
                or roles.headed_unit_ids or roles.supervised_unit_ids)


def flags_visible_to(user) -> QuerySet:
    """Replacement flags: the secretariat, HR and supervision see all; a
    unit's head (and supervising leader) their unit's."""
    roles = roles_of(user)
    if not getattr(user, "is_authenticated", False):
        return ReplacementFlag.objects.none()
    if roles.is_superuser or roles.is_secretariat or roles.is_hr or roles.is_supervision:
        return ReplacementFlag.objects.all()
    return ReplacementFlag.objects.filter(unit_id__in=roles.headed_unit_ids | roles.supervised_unit_ids)


def home_counts(user) -> dict | None:
    """The home card: the user's units' answers still to give (and how many
    are past due), or for the secretariat the periods open. None: nothing to show."""
    if manages_calls(user):
        open_periods = Occurrence.objects.filter(closed_at__isnull=True).count()
        return {"manages": True, "open": open_periods}
    units = answering_unit_ids(user)
    if not units:
        return None
    counts = Answer.objects.filter(unit_id__in=units, state__in=Answer.OPEN_STATES,
                                   occurrence__closed_at__isnull=True).aggregate(
        todo=Count("pk"), late=Count("pk", filter=Q(occurrence__due_at__lt=timezone.now())))
    return {"manages": False, **counts}
