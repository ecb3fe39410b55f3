"""Two deadline sweeps at once on PostgreSQL (two beat processes, or beat and
``send_reminders``): every notice is written once, and between them the two
sweeps return each notice once."""
import datetime as dt
from collections import Counter

import pytest
import time_machine

from infoflow.services.chain import submit_item
from infoflow.services.deadlines import sweep
from infoflow.services.delivery import transmit_item
from liaison.models import Notification
from tests.infoflow.test_races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CST = dt.timezone(dt.timedelta(hours=8))
OPENED = dt.datetime(2026, 3, 10, 9, 30, tzinfo=CST)


def open_steps(make_item, org, count):
    with time_machine.travel(OPENED, tick=False):
        for n in range(count):
            submit_item(item=make_item(needs_coordination=True, subject="事项%d" % n), actor=org["officer_market"])
        item = submit_item(item=make_item(subject="待反馈事项", expected_feedback_at=OPENED + dt.timedelta(days=1)),
                           actor=org["officer_market"])
        transmit_item(item=item, actor=org["officer_market"], methods=["system"])


def sweep_together(moment, sweeps=2):
    with time_machine.travel(moment, tick=False):
        return run_together([lambda: [n.pk for n in sweep()] for _ in range(sweeps)])


def swept():
    """Notices written by sweeps: not the "step opened" / "item sent" notices
    the item's own moves write in their transaction (infoflow.notices)."""
    return Notification.objects.exclude(pk__in=list(EVENT_PKS))


EVENT_PKS: set = set()


def remember_event_notices():
    EVENT_PKS.clear()
    EVENT_PKS.update(Notification.objects.values_list("pk", flat=True))


def test_two_sweeps_at_once_write_each_notice_once(org, make_item):
    open_steps(make_item, org, 40)
    remember_event_notices()

    results = sweep_together(dt.datetime(2026, 3, 13, 10, 0, tzinfo=CST))

    assert not [r for r in results if isinstance(r, Exception)], results
    returned = results[0] + results[1]
    keys = Counter(swept().values_list("recipient_id", "key"))
    # 40 steps: overdue to the head and an escalation to the leader; the
    # receiver: receipt and answer overdue, each to the initiator and prod's
    # officer and head.
    assert len(keys) == 40 * 2 + 2 * 3
    assert max(keys.values()) == 1
    assert sorted(returned) == sorted(swept().values_list("pk", flat=True))


def test_a_sweep_after_two_concurrent_ones_sends_nothing(org, make_item):
    open_steps(make_item, org, 10)
    remember_event_notices()
    moment = dt.datetime(2026, 3, 10, 16, 30, tzinfo=CST)
    sweep_together(moment, sweeps=3)
    before = swept().count()

    with time_machine.travel(moment + dt.timedelta(minutes=1), tick=False):
        again = sweep()

    assert before == 10  # the reminders
    assert again == []


def test_every_kind_twice_at_once_writes_each_notice_once(org, make_item):
    """A question, an archive due and a late officer filing beside the steps
    and receivers: three sweeps at once, each case's notices once."""
    from infoflow.models import Item, Receiver
    from infoflow.services.delivery import raise_question
    from officers.models import ChangeFiling, ExternalUnit, Registration

    open_steps(make_item, org, 5)
    with time_machine.travel(OPENED, tick=False):
        sent = Item.objects.get(subject="待反馈事项")
        raise_question(receiver=sent.receivers.get(), actor=org["head_prod"], kind="question", text="范围？",
                       responsible_unit=org["market"])
        done = submit_item(item=make_item(subject="已办结事项", expected_feedback_at=OPENED + dt.timedelta(days=1)),
                           actor=org["officer_market"])
    Item.objects.filter(pk=done.pk).update(state=Item.State.COMPLETED, completed_at=OPENED)
    Receiver.objects.filter(item=done).update(state=Receiver.State.ANSWERED)
    body = ExternalUnit.objects.create(name="市场监督管理局", kind=ExternalUnit.Kind.REGULATOR)
    registration = Registration.objects.create(unit=org["market"], body=body, registered_name="张三",
                                               registered_phone="13800000000")
    ChangeFiling.objects.create(registration=registration, reason="officer_changed", changed_at=OPENED,
                                due_at=OPENED + dt.timedelta(days=1))
    remember_event_notices()

    results = sweep_together(dt.datetime(2026, 3, 13, 10, 0, tzinfo=CST), sweeps=3)

    assert not [r for r in results if isinstance(r, Exception)], results
    keys = Counter(swept().values_list("recipient_id", "key"))
    assert max(keys.values()) == 1
    kinds = {key.split(":")[0] for _r, key in keys}
    assert kinds == {"step", "receiver", "question", "archive", "filing"}
    assert sorted(results[0] + results[1] + results[2]) == sorted(swept().values_list("pk", flat=True))
