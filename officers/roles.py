"""What a user is in the organisation, read from data HR edits.

``roles_of(user)`` answers with a few queries and caches the answer on the
user object for the rest of the request; every permission check and the home
page start from it.
"""
from dataclasses import dataclass, field

from .models import Officer, OrgUnit, RoleAssignment

Role = RoleAssignment.Role


@dataclass(frozen=True)
class UserRoles:
    user_id: int | None
    roles: frozenset = field(default_factory=frozenset)
    unit_id: int | None = None  # where the user works (StaffProfile)
    headed_unit_ids: frozenset = field(default_factory=frozenset)
    supervised_unit_ids: frozenset = field(default_factory=frozenset)
    officer_unit_ids: frozenset = field(default_factory=frozenset)  # active posts
    is_superuser: bool = False

    def has(self, role) -> bool:
        return role in self.roles

    @property
    def is_secretariat(self) -> bool:
        return Role.SECRETARIAT in self.roles or Role.SECRETARIAT_LEAD in self.roles

    @property
    def is_hr(self) -> bool:
        return Role.HR_ADMIN in self.roles

    @property
    def is_general_manager(self) -> bool:
        return Role.GENERAL_MANAGER in self.roles

    @property
    def is_legal(self) -> bool:
        return Role.LEGAL in self.roles

    @property
    def is_supervision(self) -> bool:
        return Role.SUPERVISION in self.roles

    @property
    def is_archivist(self) -> bool:
        return Role.ARCHIVIST in self.roles

    @property
    def is_head(self) -> bool:
        return bool(self.headed_unit_ids)

    @property
    def is_leader(self) -> bool:
        return bool(self.supervised_unit_ids)

    @property
    def is_officer(self) -> bool:
        return bool(self.officer_unit_ids)

    @property
    def sees_everything_unrestricted(self) -> bool:
        """Secretariat and supervision see all items but restricted ones (issue 4)."""
        return self.is_secretariat or self.is_supervision

    @property
    def member_unit_ids(self) -> frozenset:
        """Units whose items concern this user as a member of staff."""
        ids = set(self.officer_unit_ids) | set(self.headed_unit_ids)
        if self.unit_id:
            ids.add(self.unit_id)
        return frozenset(ids)


ANONYMOUS = UserRoles(user_id=None)


def roles_of(user) -> UserRoles:
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_liaison_roles", None)
    if cached is not None:
        return cached
    profile_unit = (
        user.__class__.objects.filter(pk=user.pk).values_list("profile__unit_id", flat=True).first()
    )
    roles = frozenset(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    units = list(
        OrgUnit.objects.filter(is_active=True)
        .filter(models_q_head_or_leader(user))
        .values_list("pk", "head_id", "supervising_leader_id")
    )
    answer = UserRoles(
        user_id=user.pk,
        roles=roles,
        unit_id=profile_unit,
        headed_unit_ids=frozenset(pk for pk, head, _leader in units if head == user.pk),
        supervised_unit_ids=frozenset(pk for pk, _head, leader in units if leader == user.pk),
        officer_unit_ids=frozenset(
            Officer.objects.filter(user=user, status=Officer.Status.ACTIVE).values_list("unit_id", flat=True)
        ),
        is_superuser=user.is_superuser,
    )
    user._liaison_roles = answer
    return answer


def models_q_head_or_leader(user):
    from django.db.models import Q

    return Q(head=user) | Q(supervising_leader=user)


def forget_roles(user) -> None:
    """Drop the cached answer (after a change of roles in the same request)."""
    if hasattr(user, "_liaison_roles"):
        del user._liaison_roles


def users_with_role(role):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(roles__role=role, is_active=True).distinct()
