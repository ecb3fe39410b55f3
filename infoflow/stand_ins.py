"""A user's shape and a stand-in user of that shape, for list queries
compiled once per kind of user (``compiled.page``; issue 12).

The list pages' querysets depend on the user only through their id, their
flags and their roles (``officers.roles.roles_of``: roles, staff unit,
headed, supervised and officer units): ``visibility_q``, ``receiver_q`` and
``own_items`` branch on which of these are set and how many units each
holds, and put the ids in the SQL. ``user_shape`` states that as a key — the
flags, the roles and, for each set of units, the positions of its ids among
the user's distinct ids (so a unit both headed and served as officer is one
id in both, as in the real sets) — and the ids themselves; ``stand_in_user``
makes a user of that shape whose ids are the stand-ins the compiled query
replaces, with its roles already known (no query). A queryset built for the
stand-in is the real user's queryset but for the ids.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model

from officers.roles import UserRoles, roles_of


def user_shape(user) -> tuple[tuple, tuple[int, ...]]:
    """(shape, ids) of an authenticated ``user``: ``shape`` a hashable key of
    everything but the ids, ``ids`` the user's distinct ids (the user's
    first, then the units', ascending)."""
    roles = roles_of(user)
    ids: list[int] = []
    position: dict[int, int] = {}

    def at(value):
        if value not in position:
            position[value] = len(ids)
            ids.append(value)
        return position[value]

    me = at(user.pk)
    # Positions sorted: sets have no order, so isomorphic users share a key.
    units = {name: tuple(sorted(at(unit) for unit in sorted(getattr(roles, name))))
             for name in ("headed_unit_ids", "supervised_unit_ids", "officer_unit_ids")}
    shape = (
        me, bool(user.is_active), bool(user.is_superuser), bool(user.is_staff), bool(roles.is_superuser),
        tuple(sorted(roles.roles)), None if roles.unit_id is None else at(roles.unit_id),
        units["headed_unit_ids"], units["supervised_unit_ids"], units["officer_unit_ids"],
    )
    return shape, tuple(ids)


def stand_in_user(shape: tuple, ids: tuple):
    """An unsaved user of ``shape`` (``user_shape``) whose ids are ``ids``,
    its roles set (``roles_of`` answers without a query)."""
    me, active, superuser, staff, roles_superuser, roles, unit, headed, supervised, officer = shape
    user = get_user_model()(id=ids[me], username="stand-in", is_active=active, is_superuser=superuser,
                            is_staff=staff)
    user._liaison_roles = UserRoles(
        user_id=ids[me], roles=frozenset(roles), unit_id=None if unit is None else ids[unit],
        headed_unit_ids=frozenset(ids[i] for i in headed), supervised_unit_ids=frozenset(ids[i] for i in supervised),
        officer_unit_ids=frozenset(ids[i] for i in officer), is_superuser=roles_superuser,
    )
    return user
