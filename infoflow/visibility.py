"""Who sees which item: the one place that decides it.

``items_visible_to(user)`` is a queryset of Item; every list, detail page,
download, search, count and export starts from it, so an item a user may not
see is the same 404 as one that does not exist. A user sees an item when:

1. they hold a ``view_item`` grant on it (django-guardian, direct-FK table):
   the item's path — initiator and unit officers, reviewers from the moment
   their stage opens, receivers once transmitted, units named in a question
   (``infoflow.permissions.sync_item_grants`` keeps these rows right);
2. it is a draft of a unit where they are an active officer (drafts are
   otherwise seen by their initiator only, who holds a grant);
3. it is a submitted, non-restricted item of a unit they head or where they
   are an active officer (a replaced officer's successor sees the history);
4. they are in the secretariat or supervision (监察), or a superuser: every
   submitted non-restricted item;
5. it is a non-restricted item for all staff that has been transmitted;
6. during an active delegation, the deputy sees what the principal sees by
   rule 1 (``deputised_item_ids``).

Restricted items (限定范围) are seen only through rule 1 — the people on their
path — whatever the role; a superuser is no exception (the admin console uses
the same rule), and opening one writes an audit row
(``record_restricted_view``).

Performance: the grant test is an uncorrelated ``pk IN (SELECT
content_object_id … WHERE user_id = %s AND permission_id = …)``, which
PostgreSQL runs once as a hashed subplan (not an EXISTS probe per row), using
the (user, permission, content_object) index; the other rules are plain
column tests on Item. The permission id is resolved in the same subquery by a
join on auth_permission (a tiny table), so the selector issues no query of
its own.
"""
from django.db.models import Q

from liaison import audit
from officers.roles import roles_of

from .models import Confidentiality, Item, ItemUserObjectPermission
from .selectors import _view_granted
from .services.delegation import active_delegations

DELIVERED = (Item.State.TRANSMITTED, Item.State.COMPLETED, Item.State.ARCHIVED)


def granted_item_ids(user, codename="view_item"):
    """Subquery of item ids the user holds ``codename`` on."""
    return ItemUserObjectPermission.objects.filter(
        user_id=user.pk,
        permission__codename=codename,
        permission__content_type__app_label="infoflow",
        permission__content_type__model="item",
    ).values("content_object_id")


def deputised_item_ids(user, codename="view_item", moment=None):
    """Subquery of item ids a principal who named ``user`` their deputy for
    now holds ``codename`` on (delegation, 代理): the deputy sees what the
    principal sees through the path for exactly the delegation's period.
    Uncorrelated like ``granted_item_ids`` and part of the same query; no
    grant rows are copied, so the sight ends with the period."""
    # timezone.now(), not the database's NOW(): the period follows the
    # application clock like every other deadline.
    principals = active_delegations(moment).filter(deputy_id=user.pk).values("principal_id")
    return ItemUserObjectPermission.objects.filter(
        user_id__in=principals,
        permission__codename=codename,
        permission__content_type__app_label="infoflow",
        permission__content_type__model="item",
    ).values("content_object_id")


# The item's columns visibility reads, as the copies on its steps and
# receivers name them (models.ItemCopies).
_COPIES = {"pk": "item_id", "unit_id": "item_unit_id", "state": "item_state",
           "confidentiality": "item_confidentiality", "to_all_staff": "item_to_all_staff"}


def _parts(user, prefix="", granted_to=None, copies=False, grants=True,
           moment=None) -> tuple[list[Q], Q | None] | None:
    """The column rules (2–5) and the grant rule (1 and 6) of
    ``visibility_q``, apart (the grant rule None when not ``grants``); None
    when the user sees nothing."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None

    def column(name):
        if not copies:
            return prefix + name
        field, _sep, lookup = name.partition("__")
        return _COPIES[field] + ("__" + lookup if lookup else "")

    def q(**lookups):
        return Q(**{column(name): value for name, value in lookups.items()})

    roles = roles_of(user)
    unrestricted = ~q(confidentiality=Confidentiality.RESTRICTED)
    submitted = ~q(state=Item.State.DRAFT)

    if not grants:
        granted = None
    elif granted_to is None:
        granted = q(pk__in=granted_item_ids(user)) | q(pk__in=deputised_item_ids(user, moment=moment))
    else:
        item = "item_id" if copies else prefix[:-2] + "_id" if prefix else "pk"
        granted = Q(_view_granted(granted_to, item=item))
    rules = []
    if roles.officer_unit_ids:
        rules.append(q(unit_id__in=sorted(roles.officer_unit_ids)) & unrestricted)
    if roles.headed_unit_ids:
        rules.append(q(unit_id__in=sorted(roles.headed_unit_ids)) & submitted & unrestricted)
    if roles.sees_everything_unrestricted or user.is_superuser:
        rules.append(submitted & unrestricted)
    rules.append(q(to_all_staff=True, state__in=DELIVERED) & unrestricted)
    return rules, granted


def visibility_q(user, prefix="", granted_to=None, copies=False, moment=None) -> Q | None:
    """The condition for ``items_visible_to``; None means nothing.

    ``prefix`` ("item__") states the same condition on the item a row points
    to, for lists of rows narrowed by their own index (a user's receipts):
    tested on the joined item, the rule reads only the rows shown instead of
    building the set of every visible item (issue 12).

    ``granted_to``, the ids of the user and of the principals who named them
    their deputy for now (``selectors._acting_user_ids``), states rules 1 and
    6 as one probe of the grant index per row (``selectors._view_granted``)
    instead of the sets of granted items: PostgreSQL charges building those
    hashed sets to every row of a nested loop, so for a user's few receipts
    it hash-joined the whole item table instead (150 ms at 100,000 items).

    ``copies`` states it on a review step's or receiver's own copies of its
    item's columns (``models.ItemCopies``, kept by triggers): the same rule
    with no join to the item (the on-time page's overdue lists; issue 12).

    ``moment`` (now by default) is when delegations are in force (rule 6)."""
    parts = _parts(user, prefix, granted_to, copies, moment=moment)
    if parts is None:
        return None
    rules, granted = parts
    # On the copies, whose lists count every row, and wherever the grant is a
    # probe per row (``granted_to``), the column tests come first: PostgreSQL
    # evaluates an OR in the order written, and most rows pass them before
    # the grant's probes (half the count's time; the secretariat's 300
    # instruction tasks: 300 probes → none; issue 12).
    condition = Q()
    for rule in [*rules, granted] if copies or granted_to is not None else [granted, *rules]:
        condition |= rule
    return condition


def column_rules_q(user) -> Q | None:
    """Rules 2–5 alone — the tests on the item's own unit, state,
    confidentiality and "all staff" flag, without the grants (rules 1 and 6)
    — for rows that carry those four columns under the item's names
    (``models.ItemMonth``); None means nothing. ``visibility_q`` is this OR
    the grants, so the items a user sees are those matching this plus the
    granted ones that do not (infoflow.item_counts)."""
    parts = _parts(user, grants=False)
    if parts is None:
        return None
    condition = Q()
    for rule in parts[0]:
        condition |= rule
    return condition


def items_visible_to(user, moment=None):
    """Every item ``user`` may see (see the module docstring); ``moment``
    (now by default) is when delegations are in force."""
    condition = visibility_q(user, moment=moment)
    if condition is None:
        return Item.objects.none()
    return Item.objects.filter(condition)


def can_view(user, item) -> bool:
    return items_visible_to(user).filter(pk=item.pk).exists()


def record_restricted_view(user, item, request=None):
    """Write the audit row for opening a restricted item (the detail view,
    downloads). Does nothing for other items; returns the entry or None."""
    if not item.is_restricted:
        return None
    return audit.record(
        audit.Action.VIEW_RESTRICTED, user=user, request=request, obj=item, detail=item.number or ""
    )
