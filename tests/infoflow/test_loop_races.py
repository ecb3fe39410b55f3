"""Races on PostgreSQL for the closed loop's operations that could apply
twice (issue 19 §8): a follow task finished, a unit's study confirmed, a
relay to staff, a seal use recorded — twice at once gives one."""
import datetime as dt

import pytest
import time_machine

from followup.models import Circulation
from followup.services.circulation import relay_to_staff
from infoflow.models import Item, Receiver, Seal, SealUse, StudyConfirmation
from infoflow.services.chain import approve_step, open_step, submit_item, take_step
from infoflow.services.delivery import answer_receiver, transmit_item
from infoflow.services.loop import (
    add_follow_task, confirm_study, finish_follow_task, record_seal_use, require_study,
)
from liaison.errors import InvalidInput, StateConflict
from tests.factories import ExternalUnitFactory, UserFactory
from tests.infoflow.conftest import NOW
from tests.infoflow.test_races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sent(org, make_item):
    with time_machine.travel(NOW, tick=True):
        item = make_item(needs_coordination=True, receivers=[{"kind": "unit", "unit": org["prod"]},
                                                             {"kind": "unit", "unit": org["finance"]}])
        item = submit_item(item=item, actor=org["officer_market"])
        approve_step(step=open_step(item), actor=org["head_market"])
        transmit_item(item=Item.objects.get(pk=item.pk), actor=org["officer_market"], methods=["system"])
    return Item.objects.get(pk=item.pk)


def _one_each(results, error):
    assert sum(1 for r in results if isinstance(r, error)) == 1, results
    assert sum(1 for r in results if not isinstance(r, Exception)) == 1, results


def test_a_study_confirmed_twice_at_once_is_confirmed_once(org, sent):
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=True):
        require_study(item=sent, actor=org["officer_market"])
        confirmation = StudyConfirmation.objects.get(item=sent, unit__code="prod")
        results = run_together([
            lambda: confirm_study(confirmation=confirmation, actor=org["officer_prod"], note="已学习"),
            lambda: confirm_study(confirmation=confirmation, actor=org["head_prod"], note="已落实"),
        ])
    _one_each(results, StateConflict)
    assert confirmation.history.filter(history_change_reason="confirm_study").count() == 1


def test_a_follow_task_finished_twice_at_once_is_done_once(org, sent):
    owner = UserFactory(username="worker_prod", profile__unit=org["prod"])
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=True):
        row = Receiver.objects.get(item=sent, unit__code="prod")
        answer_receiver(receiver=row, actor=org["officer_prod"], result="部分完成", outcome="partly")
        task = add_follow_task(receiver=Receiver.objects.get(pk=row.pk), actor=org["officer_prod"], owner=owner,
                               what="复查", due_date=dt.date(2026, 3, 13))
        results = run_together([
            lambda: finish_follow_task(task=task, actor=owner, result="完成"),
            lambda: finish_follow_task(task=task, actor=org["officer_prod"], result="完成"),
        ])
    _one_each(results, StateConflict)
    assert task.history.filter(history_change_reason="follow_task_done").count() == 1


def test_a_relay_clicked_twice_at_once_circulates_once(org, sent):
    UserFactory(username="worker_prod", profile__unit=org["prod"])
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=True):
        results = run_together([lambda: relay_to_staff(item=sent, actor=org["head_prod"]) for _ in range(2)])
    _one_each(results, InvalidInput)
    assert Circulation.objects.filter(item=sent).count() == 1


def test_a_seal_use_recorded_twice_at_once_is_kept_once(org, make_item):
    seal = Seal.objects.create(name="公章")
    with time_machine.travel(NOW, tick=True):
        unit = ExternalUnitFactory(name="客户A公司")
        item = submit_item(item=make_item(direction="external", receivers=[
            {"kind": "external", "external_unit": unit}]), actor=org["officer_market"])
        while (step := open_step(Item.objects.get(pk=item.pk))) is not None:
            user = step.assignees.order_by("pk").first().user
            if step.decider == "secretariat_pool":
                take_step(step=step, actor=user)
            approve_step(step=step, actor=user)
        transmit_item(item=Item.objects.get(pk=item.pk), actor=org["officer_market"], methods=["letter"])
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=True):
        transmission = Item.objects.get(pk=item.pk).transmissions.get()
        at = NOW + dt.timedelta(hours=1)
        results = run_together([
            lambda actor=actor: record_seal_use(transmission=transmission, actor=actor, seal=seal,
                                                approved_by=org["gm"], approved_at=at)
            for actor in (org["officer_market"], org["secretary"])
        ])
    _one_each(results, InvalidInput)
    assert SealUse.objects.count() == 1
