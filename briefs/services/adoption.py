"""Adoption levels recorded per item (issue 16 §5; seed 003 第六章 信息报送数量
和质量): the secretariat records how far an item was taken (部门采用, 公司采用,
对外发布/报送); publishing a bulletin issue records 公司采用 for its items.
officers/assessment_scores.py reads these rows next to what it derives from
the item's route."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infoflow.models import Item

from ..errors import BriefInvalid
from ..models import LEVEL_RANK, Adoption, AdoptionLevel
from ..permissions import can_compile
from ..selectors import ADOPTED_STATES


@transaction.atomic
def record_adoption(*, item: Item, level: str, actor, note: str = "") -> Adoption:
    """Record (or change) the adoption level of an adopted item. The
    secretariat's decision: it may set any level, with history (who, when,
    why). Raises PermissionDenied (not the secretariat), BriefInvalid (unknown
    level, item not adopted: still in review, returned, withdrawn)."""
    if not can_compile(actor):
        raise PermissionDenied
    if level not in AdoptionLevel.values:
        raise BriefInvalid(_("请选择采用级别。"))
    item = Item.objects.select_for_update(of=("self",)).get(pk=item.pk)
    if item.state not in ADOPTED_STATES:
        raise BriefInvalid(_("信息 %(number)s 尚未审核通过，不能记录采用。") % {"number": item.number or item.subject})
    adoption = Adoption.objects.select_for_update().filter(item=item).first()
    if adoption is None:
        adoption = Adoption(item=item)
    adoption.level = level
    adoption.note = (note or "").strip()[:200]
    adoption.recorded_by = actor
    adoption.recorded_at = timezone.now()
    adoption._history_user = actor
    adoption._change_reason = "record"
    adoption.save()
    return adoption


def raise_adoption(*, item: Item, level: str, actor, note: str) -> Adoption | None:
    """Inside a caller's transaction: record ``level`` for ``item`` unless a
    level as high is recorded already (a bulletin never lowers what the
    secretariat recorded). Returns the row written, or None."""
    adoption = Adoption.objects.select_for_update().filter(item=item).first()
    if adoption is not None and LEVEL_RANK[adoption.level] >= LEVEL_RANK[level]:
        return None
    if adoption is None:
        adoption = Adoption(item=item)
    adoption.level = level
    adoption.note = note[:200]
    adoption.recorded_by = actor
    adoption.recorded_at = timezone.now()
    adoption._history_user = actor
    adoption._change_reason = "bulletin"
    adoption.save()
    return adoption


def recorded_levels(item_ids) -> dict[int, str]:
    """{item id: recorded level} for the items that have one (one query)."""
    return dict(Adoption.objects.filter(item_id__in=list(item_ids)).values_list("item_id", "level"))
