"""Steps and receivers keep the limit in force when they opened
(infoflow/limits.py): changing settings.TIME_LIMITS moves new deadlines only."""
import copy
import datetime as dt

import time_machine

from infoflow.models import ReviewStep
from infoflow.services.chain import open_step, submit_item
from infoflow.services.deadlines import sweep
from infoflow.services.delivery import transmit_item
from liaison.models import Notification

CST = dt.timezone(dt.timedelta(hours=8))
OPENED = dt.datetime(2026, 3, 10, 9, 30, tzinfo=CST)


def test_a_settings_change_leaves_open_steps_deadlines_and_reminders_alone(org, make_item, settings):
    settings.TIME_LIMITS = copy.deepcopy(settings.TIME_LIMITS)
    settings.TIME_LIMITS["review"]["normal"] = (1, "working_days")
    with time_machine.travel(OPENED, tick=False):
        old = open_step(submit_item(item=make_item(needs_coordination=True), actor=org["officer_market"]))

    settings.TIME_LIMITS["review"]["normal"] = (3, "hours")
    with time_machine.travel(OPENED + dt.timedelta(minutes=5), tick=False):
        new = open_step(submit_item(item=make_item(needs_coordination=True, subject="新事项"),
                                    actor=org["officer_market"]))
    with time_machine.travel(OPENED + dt.timedelta(hours=4), tick=False):
        sent = sweep()

    old.refresh_from_db()
    assert (old.limit_amount, old.limit_unit, old.due_at) == (1, "working_days", OPENED + dt.timedelta(days=1))
    assert (new.limit_amount, new.limit_unit) == (3, "hours")
    assert new.due_at == OPENED + dt.timedelta(hours=3, minutes=5)
    # Only the new step is overdue; the old one is not even at its reminder yet.
    assert {(n.kind, n.key.split(":")[1]) for n in sent} == {("overdue", str(new.assignees.get().pk))}


def test_a_receiver_keeps_its_receipt_limit(org, make_item, settings):
    settings.TIME_LIMITS = copy.deepcopy(settings.TIME_LIMITS)
    settings.TIME_LIMITS["response"]["normal"] = (2, "working_days")
    with time_machine.travel(OPENED, tick=False):
        item = submit_item(item=make_item(expected_feedback_at=OPENED + dt.timedelta(days=20)),
                           actor=org["officer_market"])
        transmit_item(item=item, actor=org["officer_market"], methods=["system"])
    settings.TIME_LIMITS["response"]["normal"] = (1, "hours")

    receiver = item.receivers.get()
    with time_machine.travel(OPENED + dt.timedelta(hours=2), tick=False):
        sent = sweep()

    assert (receiver.response_limit_amount, receiver.response_limit_unit) == (2, "working_days")
    assert receiver.response_due_at == OPENED + dt.timedelta(days=2)
    assert sent == []
    assert not Notification.objects.filter(kind="overdue").exists()
    assert ReviewStep.objects.filter(limit_unit="").count() == 0
