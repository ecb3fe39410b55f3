"""Who sees which case (issue 17 §2–3). Every page, count, statistic and
export starts from ``cases_visible_to``:

* a named person of the case's box (handler or reward approver) sees it;
* the officers, the head and the supervising leader of the unit it is
  assigned to see it (its text and record, never the writer);
* nobody else — the superuser and the auditors included.

The writer of a signed case follows it through ``identity.cases_signed_by``
(and anyone with the receipt code through the receipt page).
"""
from __future__ import annotations

from django.db.models import Q, QuerySet

from officers.roles import roles_of

from .models import Case, Handler


def boxes_of(user, role: str | None = None) -> set[str]:
    """The boxes ``user`` is named for (as ``role``, or any role)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    rows = Handler.objects.filter(user=user)
    if role:
        rows = rows.filter(role=role)
    return set(rows.values_list("box", flat=True))


def is_box_person(user) -> bool:
    return bool(boxes_of(user))


def unit_ids_of(user) -> set[int]:
    """Units whose assigned cases ``user`` works on (officer, head, supervising leader)."""
    roles = roles_of(user)
    return set(roles.officer_unit_ids) | set(roles.headed_unit_ids) | set(roles.supervised_unit_ids)


def cases_visible_to(user) -> QuerySet:
    """The cases ``user`` may open, with what their rows show joined."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    boxes, units = boxes_of(user), unit_ids_of(user)
    if not boxes and not units:
        return Case.objects.none()
    return Case.objects.filter(Q(box__in=boxes) | Q(unit_id__in=units)).select_related("category", "unit")


def handled_by(user, case: Case) -> bool:
    """Whether ``user`` is a handler (not only an approver) of the case's box."""
    return case.box in boxes_of(user, Handler.Role.HANDLER)


def approves_for(user, case: Case) -> bool:
    """Whether ``user`` may decide rewards of the case's box (any named person of it)."""
    return case.box in boxes_of(user)


def works_on(user, case: Case) -> bool:
    """Whether ``user`` is of the unit the case is assigned to."""
    return case.unit_id is not None and case.unit_id in unit_ids_of(user)


def search(qs: QuerySet, *, q: str = "", state: str = "", box: str = "", kind: str = "") -> QuerySet:
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(text__icontains=q))
    if state in Case.State.values:
        qs = qs.filter(state=state)
    if box in dict(Case._meta.get_field("box").choices):
        qs = qs.filter(box=box)
    if kind in Case.Kind.values:
        qs = qs.filter(kind=kind)
    return qs
