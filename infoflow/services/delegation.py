"""Delegation (代理): a reviewer names a deputy for a period.

During [start, end), unless revoked, the deputy sees and decides the
principal's review steps; the decision is recorded on the principal's
assignment with ``decided_by`` = the deputy ("代理人 X 代 Y 审核").

The rights are not copied into guardian rows: ``permissions.can_decide``,
``chain`` (the pending-assignment lookup), ``selectors.review_inbox`` and
``visibility.visibility_q`` ask "is there an active delegation now?" at the
moment of the request, so the rights begin and end exactly with the period
with no task to run and nothing to clean up.

Who may name a deputy: a reviewer for themself; the secretariat for anyone.
Refused: the principal as their own deputy, an end not after the start, an
end already past, a period overlapping another live delegation of the same
principal (two deputies at once would make "who decided" ambiguous), and a
cycle of live delegations on overlapping days (A names B while B names A,
or A→B→C→A).
"""
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.errors import InvalidInput, NotAllowed, StateConflict
from officers.roles import roles_of

from ..models import Delegation
from .. import notices
from . import save_with_history


def active_delegations(moment=None):
    """Delegations in force at ``moment`` (now by default)."""
    moment = moment or timezone.now()
    return Delegation.objects.filter(revoked_at__isnull=True, start__lte=moment, end__gt=moment)


def principal_ids_for(deputy, moment=None) -> set[int]:
    """Ids of the users ``deputy`` stands in for right now: ``active_delegations(moment)``
    of ``deputy``, as a plain statement — read on every page that shows the
    review inbox or the home cards, where the ORM's queryset cost about
    1.5 ms of Python for a query of well under a millisecond (issue 12)."""
    if deputy is None or not getattr(deputy, "is_authenticated", False) or not deputy.is_active:
        return set()
    at = connection.ops.adapt_datetimefield_value(moment or timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT principal_id FROM infoflow_delegation WHERE revoked_at IS NULL AND start <= %s AND "end" > %s '
            "AND deputy_id = %s", [at, at, deputy.pk])
        return {principal_id for (principal_id,) in cursor.fetchall()}


def deputies_of(principal_ids, moment=None) -> dict:
    """{principal id: deputy User} for the delegations in force at ``moment``
    among ``principal_ids`` (active deputies only; one live delegation per
    principal at a time, ``create_delegation`` sees to it)."""
    if not principal_ids:
        return {}
    rows = active_delegations(moment).filter(principal_id__in=list(principal_ids), deputy__is_active=True)
    return {d.principal_id: d.deputy for d in rows.select_related("deputy").order_by("start", "pk")}


def delegations_visible_to(user):
    """Delegations the user gave or received; the secretariat sees all."""
    qs = Delegation.objects.select_related("principal", "deputy", "created_by", "revoked_by")
    if roles_of(user).is_secretariat:
        return qs
    return qs.filter(Q(principal=user) | Q(deputy=user))


def can_manage_for(actor, principal) -> bool:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    return actor.pk == principal.pk or roles_of(actor).is_secretariat


DELEGATION_LOCK = 0x44454C47  # pg advisory lock id: creating a delegation


def _lock_delegations(principal, deputy):
    """Serialise the creation of delegations. The overlap check needs the
    principal's row only, but a cycle (A names B while B names A, or
    A→B→C→A) joins rows of different principals: two creations closing a
    cycle from both ends could each pass the check before the other commits.
    Delegations are created a few times a day, so one transaction-scoped
    advisory lock for all is cheap; SQLite serialises writers anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DELEGATION_LOCK])
    return list(get_user_model().objects.select_for_update().filter(pk__in=sorted({principal.pk, deputy.pk})))


def delegation_cycle(principal, deputy, start, end) -> list | None:
    """The live delegations that, with principal → deputy during [start,
    end), would close a cycle (deputy → … → principal) on days common to the
    whole path, in path order; None when there is none."""
    # Walk the deputy's own delegations forward, keeping the window of days
    # the path holds together; a path back to the principal is a cycle.
    paths = [(deputy.pk, start, end, [])]
    seen = set()
    while paths:
        user_id, lo, hi, path = paths.pop()
        rows = Delegation.objects.filter(
            principal_id=user_id, revoked_at__isnull=True, start__lt=hi, end__gt=lo
        ).select_related("principal", "deputy").order_by("start", "pk")
        for row in rows:
            if row.pk in seen:
                continue
            seen.add(row.pk)
            window = (max(lo, row.start), min(hi, row.end))
            if row.deputy_id == principal.pk:
                return path + [row]
            paths.append((row.deputy_id, window[0], window[1], path + [row]))
    return None


def _name(user):
    return user.get_full_name() or user.username


@transaction.atomic
def create_delegation(*, actor, principal, deputy, start, end, reason="") -> Delegation:
    """Name ``deputy`` for ``principal`` during [start, end). Raises
    NotAllowed (not the principal nor the secretariat), InvalidInput (self,
    end not after start, end past, inactive deputy), StateConflict (overlaps
    another live delegation of the principal, or closes a cycle)."""
    if not can_manage_for(actor, principal):
        raise NotAllowed(_("只能为自己设置代理人；为他人设置须由秘书处办理。"))
    if deputy.pk == principal.pk:
        raise InvalidInput(_("不能指定本人为自己的代理人。"))
    if not deputy.is_active:
        raise InvalidInput(_("代理人账号已停用，请另选代理人。"))
    if start is None or end is None or end <= start:
        raise InvalidInput(_("代理结束时间须晚于开始时间。"))
    if end <= timezone.now():
        raise InvalidInput(_("代理结束时间已过，请重新填写。"))
    _lock_delegations(principal, deputy)
    overlapping = Delegation.objects.filter(
        principal=principal, revoked_at__isnull=True, start__lt=end, end__gt=start
    ).select_related("deputy").first()
    if overlapping is not None:
        raise StateConflict(
            _("该时段与已有代理（%(deputy)s，%(start)s 至 %(end)s）重叠，请先撤销原代理或调整时段。")
            % {
                "deputy": overlapping.deputy.get_full_name() or overlapping.deputy.username,
                "start": timezone.localtime(overlapping.start).strftime("%Y-%m-%d %H:%M"),
                "end": timezone.localtime(overlapping.end).strftime("%Y-%m-%d %H:%M"),
            }
        )
    cycle = delegation_cycle(principal, deputy, start, end)
    if cycle is not None:
        # A names B while B names A: each would decide for the other, and
        # the two-person review of seed 004 becomes one person's.
        chain = " → ".join([_name(principal)] + [_name(row.principal) for row in cycle] + [_name(principal)])
        raise StateConflict(
            _("不能形成循环代理：%(chain)s 的代理时段重叠。请先撤销其中的代理，或调整时段。") % {"chain": chain}
        )
    delegation = Delegation(
        principal=principal, deputy=deputy, start=start, end=end, reason=(reason or "").strip(), created_by=actor
    )
    save_with_history(delegation, actor, "create")
    notices.deputy_named(delegation)
    return delegation


@transaction.atomic
def revoke_delegation(*, delegation, actor) -> Delegation:
    """End a delegation now (the deputy loses the rights at once). The
    principal, the one who created it or the secretariat. Raises NotAllowed,
    StateConflict (already revoked or already over)."""
    delegation = Delegation.objects.select_for_update().select_related("principal").get(pk=delegation.pk)
    if not (can_manage_for(actor, delegation.principal) or actor.pk == delegation.created_by_id):
        raise NotAllowed(_("您无权撤销该代理。"))
    now = timezone.now()
    if delegation.revoked_at is not None:
        raise StateConflict(_("该代理已撤销。"))
    if delegation.end <= now:
        raise StateConflict(_("该代理已到期，无需撤销。"))
    delegation.revoked_at = now
    delegation.revoked_by = actor
    save_with_history(delegation, actor, "revoke")
    return delegation
