"""What a user is in the organisation, read from data HR edits.

``roles_of(user)`` answers with one query and caches the answer on the user
object for the rest of the request; every permission check and the home page
start from it.
"""
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection

from .models import Officer, OrgUnit, RoleAssignment, StaffProfile

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


def _roles_sql():
    """One UNION ALL over the four sources of a user's roles, each row
    (kind, unit id, role): p = the unit of their staff profile, r = an
    organisation role, h/l = an active unit they head / supervise,
    o = an active officer post. Names come from the models' metadata."""

    def col(model, name):
        return model._meta.get_field(name).column

    profile, assignment, unit, officer = (
        StaffProfile._meta.db_table, RoleAssignment._meta.db_table, OrgUnit._meta.db_table, Officer._meta.db_table,
    )
    return (
        f"SELECT 'p', {col(StaffProfile, 'unit')}, NULL FROM {profile} WHERE {col(StaffProfile, 'user')} = %s"
        f" UNION ALL SELECT 'r', NULL, {col(RoleAssignment, 'role')} FROM {assignment}"
        f" WHERE {col(RoleAssignment, 'user')} = %s"
        f" UNION ALL SELECT 'h', id, NULL FROM {unit} WHERE {col(OrgUnit, 'is_active')} = %s"
        f" AND {col(OrgUnit, 'head')} = %s"
        f" UNION ALL SELECT 'l', id, NULL FROM {unit} WHERE {col(OrgUnit, 'is_active')} = %s"
        f" AND {col(OrgUnit, 'supervising_leader')} = %s"
        f" UNION ALL SELECT 'o', {col(Officer, 'unit')}, NULL FROM {officer}"
        f" WHERE {col(Officer, 'status')} = %s AND {col(Officer, 'user')} = %s"
    )


_ROLES_SQL = None


def roles_of(user) -> UserRoles:
    """The user's roles: one query (issue 12: four ORM queries on every
    request cost more than the page floor), cached on the user object for
    the request. The rules are those of the four sources: the staff
    profile's unit, RoleAssignment rows, active units whose head or
    supervising leader they are, their active officer posts."""
    global _ROLES_SQL
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_liaison_roles", None)
    if cached is not None:
        return cached
    if _ROLES_SQL is None:
        _ROLES_SQL = _roles_sql()
    pk = user.pk
    with connection.cursor() as cursor:
        cursor.execute(_ROLES_SQL, [pk, pk, True, pk, True, pk, Officer.Status.ACTIVE.value, pk])
        rows = cursor.fetchall()
    found = {"p": [], "r": [], "h": [], "l": [], "o": []}
    for kind, unit_id, role in rows:
        found[kind].append(role if kind == "r" else unit_id)
    answer = UserRoles(
        user_id=pk,
        roles=frozenset(found["r"]),
        unit_id=found["p"][0] if found["p"] else None,
        headed_unit_ids=frozenset(found["h"]),
        supervised_unit_ids=frozenset(found["l"]),
        officer_unit_ids=frozenset(found["o"]),
        is_superuser=user.is_superuser,
    )
    user._liaison_roles = answer
    return answer


def forget_roles(user) -> None:
    """Drop the cached answer (after a change of roles in the same request)."""
    if hasattr(user, "_liaison_roles"):
        del user._liaison_roles


def users_with_role(role):
    return get_user_model().objects.filter(roles__role=role, is_active=True).distinct()
