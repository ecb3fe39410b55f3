"""The outbox (infoflow/notices.py, infoflow/people.py): a move's notices are
written in the move's own transaction, to the people of the unit as
``unit_people`` names them, never to the actor."""
import datetime as dt

import pytest
import time_machine
from django.db import transaction

from infoflow.models import Delegation, Item
from infoflow.people import unit_people
from infoflow.services.chain import approve_step, open_step, submit_item
from infoflow.services.deadlines import sweep
from infoflow.services.delivery import transmit_item
from liaison.models import Notification

CST = dt.timezone(dt.timedelta(hours=8))
OPENED = dt.datetime(2026, 3, 10, 9, 30, tzinfo=CST)


class Rollback(Exception):
    pass


def test_the_review_notice_is_committed_with_the_step_without_any_after_commit_hook(
    org, make_item, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        item = submit_item(item=make_item(needs_coordination=True), actor=org["officer_market"])

    notice = Notification.objects.get(kind="task")
    assert notice.recipient == org["head_market"]
    assert notice.key == "step:%d:opened" % open_step(item).assignees.get().pk


def test_a_move_rolled_back_leaves_no_notice(org, make_item):
    draft = make_item(needs_coordination=True)

    with pytest.raises(Rollback), transaction.atomic():
        submit_item(item=draft, actor=org["officer_market"])
        assert Notification.objects.filter(kind="task").count() == 1
        raise Rollback

    assert not Notification.objects.exists()


def test_approving_tells_the_next_stage_in_the_same_transaction(org, make_item):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])

    approve_step(step=open_step(item), actor=org["head_market"])

    nxt = open_step(Item.objects.get(pk=item.pk))
    assert list(Notification.objects.filter(key="step:%d:opened" % nxt.assignees.get().pk)
                .values_list("recipient__username", flat=True)) == [nxt.assignees.get().user.username]


def test_unit_people_are_officers_and_head_with_deputies_in_force(org):
    deputy = org["employee"]
    now = dt.datetime(2026, 3, 10, 10, 0, tzinfo=CST)
    Delegation.objects.create(principal=org["head_market"], deputy=deputy, start=now - dt.timedelta(days=1),
                              end=now + dt.timedelta(days=1), created_by=org["head_market"])

    people = unit_people(org["market"], now=now)
    later = unit_people(org["market"], now=now + dt.timedelta(days=2))
    head_only = unit_people(org["market"], "head", now=now + dt.timedelta(days=2))

    assert [u.username for u in people] == ["head_market", "officer_market", deputy.username]
    assert [u.username for u in later] == ["head_market", "officer_market"]
    assert [u.username for u in head_only] == ["head_market"]


def test_unknown_role_is_refused(org):
    with pytest.raises(ValueError):
        unit_people(org["market"], "janitor")


def test_overdue_receipt_reaches_the_units_officer_and_head_alike(org, make_item):
    with time_machine.travel(OPENED, tick=False):
        item = submit_item(item=make_item(expected_feedback_at=OPENED + dt.timedelta(days=10)),
                           actor=org["officer_market"])
        transmit_item(item=item, actor=org["officer_market"], methods=["system"])
    receiver = item.receivers.get()

    with time_machine.travel(OPENED + dt.timedelta(days=3), tick=False):
        sweep()

    told = set(Notification.objects.filter(key="receiver:%d:response" % receiver.pk)
               .values_list("recipient__username", flat=True))
    assert told == {"officer_market", "head_prod", "officer_prod"}


def test_the_actor_is_not_told_of_their_own_transmission(org, make_item):
    item = submit_item(item=make_item(receivers=[{"kind": "unit", "unit": org["market"]}]),
                       actor=org["officer_market"])

    transmit_item(item=item, actor=org["officer_market"], methods=["system"])

    told = set(Notification.objects.filter(key__endswith=":sent").values_list("recipient__username", flat=True))
    assert told == {"head_market"}
