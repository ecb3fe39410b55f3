"""The paper original's location, recorded or corrected after archiving
(issue 19 §8; seed 004 (五) 归档管理: 纸质材料整理装订后交行政部门统一保管).

A sealed record never changes: the location is added as a ``PaperLocation``
link of the archive chain (kind P, under the same ``chain`` counter lock as
archiving and appraisal), and the newest link is the location in force.
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infoflow.models import LoopEvent
from liaison.errors import ArchiveInvalid, ArchiveNotAllowed, ArchiveStateConflict
from officers.roles import roles_of

from .. import seal as S
from ..models import ArchivedRecord, PaperLocation
from .disposal import _next_link

MAX_LOCATION = 200


def can_record_paper_location(user) -> bool:
    """The secretariat and the archivists keep the paper originals."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    roles = roles_of(user)
    return roles.is_secretariat or roles.is_archivist


def location_in_force(record: ArchivedRecord) -> str:
    """The newest added location, else what was given at sealing."""
    newest = record.paper_locations.order_by("-position").values_list("location", flat=True).first()
    return newest if newest is not None else record.paper_location


@transaction.atomic
def record_paper_location(*, record: ArchivedRecord, actor, location: str, reason: str = "") -> PaperLocation:
    """Add the paper original's location to ``record`` as a sealed link.
    ``record`` must come from ``records_visible_to(actor)``. Raises
    ArchiveNotAllowed (not secretariat or archivist), ArchiveInvalid (empty
    or too long, the same as in force, a correction without a reason),
    ArchiveStateConflict (the record was destroyed)."""
    if not can_record_paper_location(actor):
        raise ArchiveNotAllowed(_("只有秘书处或档案管理员可以登记纸质原件存放位置。"))
    location = (location or "").strip()
    reason = (reason or "").strip()
    if not location:
        raise ArchiveInvalid(_("请填写纸质原件存放位置。"))
    if len(location) > MAX_LOCATION:
        raise ArchiveInvalid(_("存放位置最多 %(n)s 个字。") % {"n": MAX_LOCATION})
    position, prev = _next_link()  # the chain lock first, as archiving and appraisal take it
    record = ArchivedRecord.objects.select_for_update().get(pk=record.pk)
    if record.is_destroyed:
        raise ArchiveStateConflict(_("档案 %(number)s 已销毁。") % {"number": record.number})
    current = location_in_force(record)
    if current == location:
        raise ArchiveInvalid(_("存放位置与现登记的相同，无需重复登记。"))
    if current and not reason:
        raise ArchiveInvalid(_("更正存放位置请填写更正原因。"))
    now = timezone.now()
    addition = PaperLocation(record=record, position=position, location=location, reason=reason, by=actor, at=now)
    addition.seal = S.paper_seal(S.seal_key(), prev, addition)
    addition.save()
    LoopEvent.objects.create(
        item_id=record.item_id, kind=LoopEvent.Kind.PAPER, at=now, actor=actor,
        detail=(_("%(old)s → %(new)s") % {"old": current, "new": location} if current else location)
        + ("（%s）" % reason if reason else ""))
    return addition
