"""传阅 / 抄送: send an item round for reading, and record each reading."""
from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infoflow.models import Item, LoopEvent, Receiver
from infoflow.permissions import sync_item_grants
from infoflow.services import lock_item, save_with_history
from infoflow.visibility import DELIVERED
from liaison.errors import InvalidInput, NotAllowed, StateConflict
from liaison.workdays import add_working_days, end_of_working_day
from officers.models import OrgUnit

from .. import notices
from ..models import Circulation, CirculationReader, ReadReceipt
from ..permissions import CIRCULABLE, can_circulate

MAX_REMIND_DAYS = 30


def _unit_members(unit_ids: list[int]) -> list[tuple[int, int]]:
    """(user id, unit id) of every active member of staff of the units, and
    their heads: circulating to a department reaches everyone in it."""
    pairs = []
    for unit in OrgUnit.objects.filter(pk__in=unit_ids).select_related("head").order_by("pk"):
        if unit.head_id and unit.head.is_active:
            pairs.append((unit.head_id, unit.pk))
        pairs += [(uid, unit.pk) for uid in get_user_model().objects.filter(
            profile__unit=unit, is_active=True).order_by("pk").values_list("pk", flat=True)]
    return pairs


@transaction.atomic
def circulate_item(*, item: Item, actor, user_ids: Iterable[int] = (), unit_ids: Iterable[int] = (),
                   note: str = "", remind_after_days: int = 1) -> Circulation:
    """Circulate ``item`` for reading to people (``user_ids``) and units
    (``unit_ids``: their head and active staff), at any stage after
    submission or after completion (issue 15). Each person once, never the
    actor, nobody who still has it unread from an earlier circulation. The
    unread are reminded once ``remind_after_days`` working days (1–30) later
    (followup.sweeps). Readers join the item's path (view grant).
    Raises StateConflict (draft, withdrawn, cancelled), NotAllowed,
    InvalidInput (nobody new to send to, bad reminder days, a whole unit
    for a restricted item)."""
    item = lock_item(item)
    if item.state not in CIRCULABLE:
        raise StateConflict(_("信息当前状态为“%(state)s”，不能传阅。") % {"state": item.get_state_display()})
    if not can_circulate(actor, item):
        raise NotAllowed(_("只有信息的发起人、发起部门联络员、审核人、批示领导和秘书处可以传阅。"))
    try:
        days = int(remind_after_days)
    except (TypeError, ValueError):
        days = -1
    if not 1 <= days <= MAX_REMIND_DAYS:
        raise InvalidInput(_("未阅提醒须在 1 到 %(max)s 个工作日之间。") % {"max": MAX_REMIND_DAYS})
    unit_ids = [u for u in dict.fromkeys(getattr(u, "pk", u) for u in unit_ids or ()) if u]
    if unit_ids and item.is_restricted:
        raise InvalidInput(_("限定范围的信息只能传阅给指定人员，不能传阅给整个部门。"))
    wanted: dict[int, int | None] = {}
    active = set(get_user_model().objects.filter(
        pk__in=[getattr(u, "pk", u) for u in user_ids or ()], is_active=True).values_list("pk", flat=True))
    for uid in [getattr(u, "pk", u) for u in user_ids or ()]:
        if uid in active:
            wanted.setdefault(uid, None)
    for uid, unit_id in _unit_members(unit_ids):
        wanted.setdefault(uid, unit_id)
    wanted.pop(actor.pk, None)
    pending = set(CirculationReader.objects.filter(item=item, user_id__in=wanted, read_at__isnull=True)
                  .values_list("user_id", flat=True))
    new = [(uid, unit) for uid, unit in wanted.items() if uid not in pending]
    if not new:
        raise InvalidInput(_("请选择传阅对象（所选人员均已在待阅中，或只选了您自己）。"))

    now = timezone.now()
    circulation = Circulation(item=item, sent_by=actor, sent_at=now, note=(note or "").strip(),
                              remind_after_days=days, remind_at=add_working_days(now, days))
    save_with_history(circulation, actor, "circulate")
    if unit_ids:
        circulation.units.set(unit_ids)
    readers = []
    for uid, unit_id in new:
        reader = CirculationReader(circulation=circulation, item=item, user_id=uid, via_unit_id=unit_id,
                                   notice_at=circulation.remind_at)
        readers.append(save_with_history(reader, actor, "circulate"))
    sync_item_grants(item)
    notices.circulated(circulation, readers, actor=actor)
    return circulation


RELAYABLE = (Item.State.TRANSMITTED, Item.State.COMPLETED, Item.State.ARCHIVED)


def relay_units(user, item) -> list[Receiver]:
    """The sent unit receivers of ``item`` that ``user`` heads: where they
    may relay it to their staff (转发, issue 19 §8). None for a restricted
    item (it goes to named people only)."""
    if not (user.is_authenticated and user.is_active) or item.state not in RELAYABLE or item.is_restricted:
        return []
    return list(item.receivers.filter(kind=Receiver.Kind.UNIT, unit__head_id=user.pk)
                .exclude(state=Receiver.State.WAITING).select_related("unit").order_by("pk"))


@transaction.atomic
def relay_to_staff(*, item: Item, actor, note: str = "") -> Circulation:
    """A head relays a notice received by their department to its staff (转发
    within the unit; seed 001 §3 三(三)1 and 五.1: 部门负责人对各项政令…的下达要及时，
    非特殊情况，不得隔日). A circulation to every active member of the headed
    receiving units, to be read by the end of the same working day (the
    unread are reminded then, once, by followup's sweep) with a read receipt
    per person. The timeline says whether the relay itself was on the day
    the unit received the item. Raises NotAllowed (not the head of a
    receiving unit, restricted item), InvalidInput (nobody new to relay to)."""
    item = lock_item(item)
    receivers = relay_units(actor, item)
    if not receivers:
        raise NotAllowed(_("只有接收部门的负责人可以向本部门员工转发。"))
    units = [r.unit_id for r in receivers]
    wanted = {uid: unit for uid, unit in _unit_members(units) if uid != actor.pk}
    pending = set(CirculationReader.objects.filter(item=item, user_id__in=wanted, read_at__isnull=True)
                  .values_list("user_id", flat=True))
    new = [(uid, unit) for uid, unit in wanted.items() if uid not in pending]
    if not new:
        raise InvalidInput(_("本部门员工均已收到（或尚在待阅中），无需再次转发。"))
    now = timezone.now()
    due = end_of_working_day(now)
    circulation = Circulation(item=item, sent_by=actor, sent_at=now, note=(note or "").strip()[:2000],
                              remind_after_days=1, remind_at=due)
    save_with_history(circulation, actor, "relay")
    circulation.units.set(units)
    readers = [save_with_history(CirculationReader(circulation=circulation, item=item, user_id=uid,
                                                   via_unit_id=unit, notice_at=due), actor, "relay")
               for uid, unit in new]
    sync_item_grants(item)
    late = [r.unit.name for r in receivers if r.sent_at and now > end_of_working_day(r.sent_at)]
    detail = _("转发给 %(unit)s 员工 %(n)s 人，请于 %(due)s 前阅知") % {
        "unit": "、".join(r.unit.name for r in receivers), "n": len(readers),
        "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")}
    if late:
        detail += _("（晚于收到当日）")
    if circulation.note:
        detail += "：" + circulation.note
    LoopEvent.objects.create(item=item, kind=LoopEvent.Kind.RELAY, actor=actor, at=now, detail=detail)
    notices.circulated(circulation, readers, actor=actor)
    return circulation


def may_record_reading(user, item) -> bool:
    """Who records having read an item: a person it was circulated to, and
    anyone on a delivered notice to all staff."""
    if CirculationReader.objects.filter(item=item, user=user).exists():
        return True
    return item.to_all_staff and item.state in DELIVERED


@transaction.atomic
def mark_read(*, item: Item, actor) -> ReadReceipt:
    """Record that ``actor`` has read ``item`` (已阅): one read receipt per
    person and item, and every unread circulation of it to them marked read.
    ``item`` must come from ``items_visible_to(actor)``. Raises NotAllowed
    (not circulated to them, not a notice to all staff), StateConflict
    (already read: a second click, or two at once)."""
    # Lock the actor's unread readings (pk order): of two requests at once the
    # second waits here and then finds none left unread.
    unread = list(CirculationReader.objects.select_for_update()
                  .filter(item=item, user=actor, read_at__isnull=True).order_by("pk"))
    if not unread and not may_record_reading(actor, item):
        raise NotAllowed(_("这条信息没有传阅给您，无需登记阅读。"))
    now = timezone.now()
    try:
        # A savepoint: the unique key refuses the second of two receipts
        # written at once (a notice to all staff has no reading to lock).
        with transaction.atomic():
            receipt, created = ReadReceipt.objects.get_or_create(item=item, user=actor, defaults={"read_at": now})
    except IntegrityError:
        receipt, created = ReadReceipt.objects.get(item=item, user=actor), False
    if not created and not unread:
        raise StateConflict(_("您已于 %(at)s 阅读过这条信息。") % {
            "at": timezone.localtime(receipt.read_at).strftime("%Y-%m-%d %H:%M")})
    for reader in unread:
        reader.read_at = now
        save_with_history(reader, actor, "read", update_fields=["read_at"])
    return receipt
