"""Who sees and who may change which library entry: the one place that
decides it (issue 19 §1). Pages, search, counts, downloads, the item page's
panel, the needs' notices and the admin all start from
``entries_visible_to(user)``, so an entry a user may not see is the same 404
as one that does not exist.

A logged-in, active user sees an entry when:

1. it is public (公开) or internal (内部) and in use — the library is the
   organisation's own, every member of staff reads it; internal entries'
   text never leaves the portal (notices carry no text of them);
2. it is restricted (限定范围) and the user is a member of a named unit
   (officer, head or staff of it; the entry's department is always named),
   or — for a copy of a restricted information item — the user may see that
   item (``infoflow.visibility.items_visible_to``, its path): the copy is
   seen by exactly those who see the original. No role sees restricted
   entries otherwise, the secretariat and the superuser included (the rule of
   restricted items);
3. a withdrawn entry (已撤回) is seen, within rules 1–2, by the secretariat
   and the officers of its department only.

Changing: the officers of the entry's department add and update its entries;
the secretariat curates every entry it can see (edit, withdraw and restore,
feature). Needs: the officers and the head of a department state its needs;
the secretariat and supervision read every department's.
"""
from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from infoflow import compiled
from infoflow.models import Confidentiality, Item
from infoflow.selectors import _acting_user_ids
from infoflow.visibility import visibility_q
from officers.models import OrgUnit
from officers.roles import roles_of

from .models import Category, Entry, Need

RESTRICTED = Confidentiality.RESTRICTED


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def entries_visible_to(user) -> QuerySet:
    """Every entry ``user`` may see (see the module docstring), with the
    category and department joined."""
    if not _active(user):
        return Entry.objects.none()
    roles = roles_of(user)
    members = sorted(roles.member_unit_ids)
    named = Entry.units.through.objects.filter(entry_id=OuterRef("pk"), orgunit_id__in=members)
    # The copy's item tested on its own row (a primary-key probe, the grant one
    # index probe): "source item in every visible item" built that set from the
    # whole item table (a hashed subplan over 75,000 rows at 100,000 items) for
    # the few restricted copies (issue 12).
    item_rule = visibility_q(user, granted_to=_acting_user_ids(user))
    source_seen = Exists(Item.objects.filter(item_rule, pk=OuterRef("source_item_id")))
    restricted = Q(confidentiality=RESTRICTED) & (Exists(named) | Q(source_item__isnull=False) & source_seen)
    condition = ~Q(confidentiality=RESTRICTED) | restricted
    if not roles.is_secretariat:
        condition &= Q(state=Entry.State.ACTIVE) | Q(department_id__in=sorted(roles.officer_unit_ids))
    return Entry.objects.filter(condition).select_related("category", "department")


def may_curate(user) -> bool:
    """The secretariat curates the library (edit any, withdraw, restore, feature)."""
    return _active(user) and roles_of(user).is_secretariat


def addable_units(user) -> QuerySet:
    """Units ``user`` may add entries for: the secretariat any active unit,
    an officer the units of their active posts."""
    if not _active(user):
        return OrgUnit.objects.none()
    if may_curate(user):
        return OrgUnit.objects.filter(is_active=True)
    return OrgUnit.objects.filter(is_active=True, pk__in=sorted(roles_of(user).officer_unit_ids))


def addable_units_read(user) -> list[OrgUnit]:
    """``list(addable_units(user))`` through SQL compiled once per process for
    each rule (the secretariat's, or an officer's units; infoflow.compiled):
    the item page's library panel reads it on every page (issue 12)."""
    if not _active(user):
        return []
    curate = may_curate(user)
    unit_ids = () if curate else tuple(sorted(roles_of(user).officer_unit_ids))
    if not (curate or unit_ids):
        return []  # no unit: the ORM's empty IN, no SQL to compile
    return compiled.rows_for(("library.addable_units", curate, unit_ids), _addable_builder(user))


def _addable_builder(user):
    def build():
        return addable_units(user)
    return build


def categories_read() -> list[Category]:
    """``list(categories())`` through SQL compiled once per process."""
    return compiled.rows(categories)


def may_add(user, active_unit_ids=None) -> bool:
    """Whether ``user`` may add entries for some unit (``addable_units``);
    ``active_unit_ids``, when the caller read the active units, saves the query."""
    if active_unit_ids is None:
        return addable_units(user).exists()
    if not _active(user) or not active_unit_ids:
        return False
    return may_curate(user) or bool(set(active_unit_ids) & set(roles_of(user).officer_unit_ids))


def may_edit(user, entry: Entry) -> bool:
    """Whether ``user`` may update ``entry`` (which they can see): the
    secretariat, or an active officer of its department."""
    if not _active(user):
        return False
    return may_curate(user) or entry.department_id in roles_of(user).officer_unit_ids


# --- lists ------------------------------------------------------------------------

VALIDITY = ("valid", "expired", "pending")


def filter_entries(qs: QuerySet, *, category: str = "", department: str = "", validity: str = "",
                   state: str = "", featured: bool = False, today=None) -> QuerySet:
    """The list's filters; values that are not ids or known words are ignored."""
    return filter_entries_by(qs, category_id=int(category) if category.isdigit() else None,
                             department_id=int(department) if department.isdigit() else None,
                             validity=validity, state=state, featured=featured, today=today)


def filter_entries_by(qs: QuerySet, *, category_id: int | None = None, department_id: int | None = None,
                      validity: str = "", state: str = "", featured: bool = False, today=None) -> QuerySet:
    """``filter_entries`` with the ids read (None: no such filter)."""
    today = today or timezone.localdate()
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    if validity == "valid":
        qs = qs.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today),
                       Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    elif validity == "expired":
        qs = qs.filter(valid_until__lt=today)
    elif validity == "pending":
        qs = qs.filter(valid_from__gt=today)
    if state == "withdrawn":
        qs = qs.filter(state=Entry.State.WITHDRAWN)
    elif state != "all":
        qs = qs.filter(state=Entry.State.ACTIVE)
    if featured:
        qs = qs.filter(featured=True)
    return qs


LIST_DEFER = ("body", "search_text", "summary")


def list_rows(qs: QuerySet) -> QuerySet:
    """What the list shows: long text deferred, joins taken, newest first
    (or by rank when a search annotated one)."""
    order = ["-featured", "-updated_at", "-pk"]
    if "rank" in qs.query.annotations:
        order = ["-rank", *order]
    return qs.select_related("category", "department").defer(*LIST_DEFER).order_by(*order)


# What the list page shows of an entry (library_tags.entry_rows).
LIST_FIELDS = ("id", "title", "featured", "state", "reference", "valid_from", "valid_until", "confidentiality",
               "updated_at", "category__name", "department__name")


def list_values(qs: QuerySet) -> QuerySet:
    """``list_rows`` as the page's rows: dicts of ``LIST_FIELDS`` (issue 12)."""
    return list_rows(qs).values(*LIST_FIELDS)


def categories() -> QuerySet:
    return Category.objects.filter(active=True)


# --- needs ------------------------------------------------------------------------


def need_units(user) -> set[int]:
    """Units whose needs ``user`` states: those where they are an active officer or the head."""
    if not _active(user):
        return set()
    roles = roles_of(user)
    return set(roles.officer_unit_ids) | set(roles.headed_unit_ids)


def needs_visible_to(user) -> QuerySet:
    """The needs ``user`` may read: their units' (officer, head); every
    department's for the secretariat and supervision."""
    if not _active(user):
        return Need.objects.none()
    rows = Need.objects.select_related("unit", "created_by").prefetch_related("categories", "item_categories")
    if roles_of(user).sees_everything_unrestricted:
        return rows
    return rows.filter(unit_id__in=sorted(need_units(user)))


def may_state_need(user, unit_id: int) -> bool:
    return unit_id in need_units(user)
