"""A sweep batch asks who hears about each reviewer once for the whole batch
(``infoflow.people.preload``): the same answer as ``with_deputies`` one by
one — deputies in force only, inactive users left out."""
import datetime as dt

import time_machine

from infoflow import people
from infoflow.models import Delegation
from infoflow.services.chain import open_step, submit_item
from infoflow.services.deadlines import sweep
from liaison.models import Notification

CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=CST)


def delegate(principal, deputy, *, start, end, revoked=False):
    return Delegation.objects.create(principal=principal, deputy=deputy, start=start, end=end, created_by=principal,
                                     revoked_at=start if revoked else None)


def test_preload_answers_as_with_deputies_one_by_one(org):
    day = dt.timedelta(days=1)
    delegate(org["head_market"], org["employee"], start=NOW - day, end=NOW + day)
    delegate(org["officer_market"], org["employee"], start=NOW - day, end=NOW + day, revoked=True)
    delegate(org["head_prod"], org["employee"], start=NOW + day, end=NOW + 2 * day)  # not yet in force
    inactive = org["officer_prod"]
    inactive.is_active = False
    inactive.save()
    ids = [org["head_market"].pk, org["officer_market"].pk, org["head_prod"].pk, inactive.pk, None]

    with time_machine.travel(NOW, tick=False):
        one_by_one = {i: people.with_deputies([i]) for i in ids if i}
        with people.cached():
            people.preload(ids)
            preloaded = {i: people.with_deputies([i]) for i in ids if i}

    assert preloaded == one_by_one
    assert [u.username for u in preloaded[org["head_market"].pk]] == ["head_market", org["employee"].username]
    assert preloaded[inactive.pk] == []


def test_a_swept_reminder_reaches_the_reviewers_deputy_in_force(org, make_item):
    opened = dt.datetime(2026, 3, 10, 9, 30, tzinfo=CST)
    with time_machine.travel(opened, tick=False):
        item = submit_item(item=make_item(needs_coordination=True), actor=org["officer_market"])
    delegate(org["head_market"], org["employee"], start=opened, end=opened + dt.timedelta(days=30))
    step = open_step(item)

    with time_machine.travel(step.due_at + dt.timedelta(minutes=1), tick=False):
        sweep()

    overdue = Notification.objects.filter(key="step:%d:overdue" % step.assignees.get().pk)
    assert sorted(overdue.values_list("recipient__username", flat=True)) == sorted(
        ["head_market", org["employee"].username])
