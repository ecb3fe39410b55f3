"""Item builders for the filter and export tests (plain ORM, no services, so
the tests do not depend on the approval flow)."""
import datetime
import itertools
import zoneinfo

from infoflow.models import Item, Receiver

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def local(*args):
    """An aware datetime in Asia/Shanghai: local(2025, 9, 30, 17, 59)."""
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def make_item(*, unit, initiator, receivers=(), **fields):
    """An item of ``unit`` with receivers given as OrgUnits, users or ("external", ExternalUnit[, contact])."""
    defaults = {
        "number": f"{unit.number_prefix}-2025-{next(_numbers):05d}",
        "subject": "主题",
        "summary": "摘要",
        "state": Item.State.TRANSMITTED,
        "submitted_at": local(2025, 9, 1, 10, 0),
    }
    defaults.update(fields)
    item = Item.objects.create(unit=unit, initiator=initiator, **defaults)
    for target in receivers:
        add_receiver(item, target)
    return item


def add_receiver(item, target):
    from officers.models import OrgUnit

    if isinstance(target, OrgUnit):
        return Receiver.objects.create(item=item, kind=Receiver.Kind.UNIT, unit=target)
    if isinstance(target, tuple) and target[0] == "external":
        contact = target[2] if len(target) > 2 else None
        return Receiver.objects.create(item=item, kind=Receiver.Kind.EXTERNAL, external_unit=target[1], contact=contact)
    if target == "all_staff":
        return Receiver.objects.create(item=item, kind=Receiver.Kind.ALL_STAFF)
    return Receiver.objects.create(item=item, kind=Receiver.Kind.USER, user=target)
