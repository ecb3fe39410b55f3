"""Who is told: the one answer to "the people of a unit" for every notice.

``unit_people(unit, role)`` gives the active users holding ``role`` in
``unit`` ("officers", "head", "supervising_leader", or several of them), plus
each one's deputies in force (domain "Delegation": during an active period a
deputy acts for the principal, so hears what the principal hears).
``people_with_role(*roles)`` does the same for organisation-wide roles
(secretariat, HR, general manager). Ordered by primary key, each user once.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.utils import timezone

from liaison.sweeps import among
from officers.models import Officer, OrgUnit, RoleAssignment

from .models import Delegation

OFFICERS = "officers"
HEAD = "head"
SUPERVISING_LEADER = "supervising_leader"
UNIT_ROLES = (OFFICERS, HEAD, SUPERVISING_LEADER)
EVERYONE = (OFFICERS, HEAD)  # the default: who answers for a unit


def _roles(role) -> tuple:
    roles = (role,) if isinstance(role, str) else tuple(role)
    unknown = set(roles) - set(UNIT_ROLES)
    if unknown:
        raise ValueError("unknown unit role(s): %s" % ", ".join(sorted(unknown)))
    return roles


_local = threading.local()


@contextmanager
def cached():
    """Answer repeated questions from memory inside the block (a sweep batch
    asks "who is user 7, with deputies?" once per case otherwise)."""
    outer = getattr(_local, "memo", None)
    if outer is None:
        _local.memo = {}
    try:
        yield
    finally:
        if outer is None:
            _local.memo = None


def with_deputies(user_ids: Iterable[int | None], now=None) -> list:
    """Active users for ``user_ids`` (in that order) followed by their
    deputies in force at ``now``, each once."""
    ids = [i for i in dict.fromkeys(user_ids) if i]
    if not ids:
        return []
    memo = getattr(_local, "memo", None)
    if memo is not None and now is None:
        key = tuple(ids)
        if key not in memo:
            memo[key] = _with_deputies(ids, None)
        return memo[key]
    return _with_deputies(ids, now)


def preload(user_ids: Iterable[int | None]) -> None:
    """Inside ``cached()``: answer ``with_deputies([id])`` for each of
    ``user_ids`` from two queries in all (a sweep batch names a thousand
    reviewers; asked one by one, that is two queries each)."""
    memo = getattr(_local, "memo", None)
    if memo is None:
        return
    ids = [i for i in dict.fromkeys(user_ids) if i and (i,) not in memo]
    if not ids:
        return
    now = timezone.now()
    deputies: dict[int, list[int]] = {}
    for principal_id, deputy_id in (
        Delegation.objects.filter(among(Delegation, "principal_id", ids), revoked_at__isnull=True, start__lte=now,
                                  end__gt=now)
        .order_by("principal_id", "pk")
        .values_list("principal_id", "deputy_id")
    ):
        deputies.setdefault(principal_id, []).append(deputy_id)
    wanted = set(ids).union(*deputies.values())
    users = get_user_model().objects.filter(among(get_user_model(), "pk", wanted), is_active=True).in_bulk()
    for i in ids:
        memo[(i,)] = [users[u] for u in dict.fromkeys([i, *deputies.get(i, ())]) if u in users]


def _with_deputies(ids: list[int], now) -> list:
    now = now or timezone.now()
    deputies = (
        Delegation.objects.filter(principal_id__in=ids, revoked_at__isnull=True, start__lte=now, end__gt=now)
        .order_by("principal_id", "pk")
        .values_list("deputy_id", flat=True)
    )
    ids = list(dict.fromkeys([*ids, *deputies]))
    users = get_user_model().objects.filter(pk__in=ids, is_active=True).in_bulk()
    return [users[i] for i in ids if i in users]


def unit_user_ids(unit: OrgUnit | None, role=EVERYONE) -> list[int]:
    """The principals only (no deputies): head, supervising leader, active officers."""
    if unit is None:
        return []
    roles = _roles(role)
    ids = []
    if HEAD in roles:
        ids.append(unit.head_id)
    if SUPERVISING_LEADER in roles:
        ids.append(unit.supervising_leader_id)
    if OFFICERS in roles:
        ids += list(
            Officer.objects.filter(unit_id=unit.pk, status=Officer.Status.ACTIVE)
            .order_by("-is_primary", "pk")
            .values_list("user_id", flat=True)
        )
    return [i for i in dict.fromkeys(ids) if i]


def unit_people(unit: OrgUnit | None, role=EVERYONE, *, now=None) -> list:
    """Active users of ``unit`` in ``role`` (a name or several), with their
    deputies in force."""
    return with_deputies(unit_user_ids(unit, role), now)


def receiver_people(receiver) -> list:
    """Who answers for a receiver: the unit's officers and head (with
    deputies in force), or the person; nobody in the portal for all staff
    and external units (they are chased by telephone)."""
    if receiver.kind == "unit":
        return unit_people(receiver.unit)
    if receiver.kind == "user" and receiver.user_id:
        return with_deputies([receiver.user_id])
    return []


def people_with_role(*roles: str, now=None) -> list:
    """Active holders of organisation-wide roles, with their deputies in force."""
    ids = (
        RoleAssignment.objects.filter(role__in=roles, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    return with_deputies(ids, now)


def without(users: Iterable, actor) -> list:
    """Never tell the actor of their own action."""
    actor_id = getattr(actor, "pk", actor)
    return [u for u in users if u.pk != actor_id]


__all__ = ["unit_people", "receiver_people", "people_with_role", "with_deputies", "unit_user_ids", "without"]
