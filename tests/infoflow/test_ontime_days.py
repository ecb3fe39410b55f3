"""The on-time page's day totals (OnTimeDay): kept by the services in the
decision's and the answer's transaction, they equal a recount from the steps
and receivers after any sequence of decisions and answers, and the page's
rates from them equal the rates counted from every step and answer."""
import datetime as dt
import random

import pytest
import time_machine
from django.utils import timezone

from infoflow import ontime
from infoflow.models import Item, OnTimeDay, Receiver, ReviewStep
from infoflow.ontime import ontime_report, whole_days
from infoflow.services.chain import approve_step, open_step, return_step, submit_item, withdraw_item
from infoflow.services.delivery import answer_receiver, transmit_item
from infoflow.services.ontime_days import rebuild_ontime_days, recount
from liaison.errors import LiaisonError
from tests.infoflow.conftest import NOW
from tests.infoflow.test_races import run_together

pytestmark = pytest.mark.django_db


def stored():
    return {(row.kind, row.day, row.unit_id): (row.done, row.done_on_time) for row in OnTimeDay.objects.all()}


def rates(report):
    return sorted((u.unit_id, u.review_total, u.review_on_time, u.feedback_total, u.feedback_on_time)
                  for u in report.units)


def test_whole_days_only_from_local_midnight_to_local_midnight():
    tz = timezone.get_default_timezone()
    start = dt.datetime(2026, 3, 1, tzinfo=tz)
    assert whole_days(start, dt.datetime(2026, 4, 1, tzinfo=tz)) == (dt.date(2026, 3, 1), dt.date(2026, 4, 1))
    assert whole_days(start, dt.datetime(2026, 3, 31, 18, tzinfo=tz)) is None
    assert whole_days(start.astimezone(dt.timezone.utc), dt.datetime(2026, 3, 2, tzinfo=tz)) is not None
    assert whole_days(dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc), dt.datetime(2026, 3, 2, tzinfo=tz)) is None


def test_random_decisions_and_answers_keep_the_totals_equal_to_a_recount(org, make_item):
    """Items walk their routes with decisions and answers at random moments
    (some late, some across midnight): after every step the stored totals
    equal the recount, and the page's rates equal those counted from the rows."""
    rng = random.Random(12)
    heads = {org["market"].pk: org["head_market"], org["prod"].pk: org["head_prod"],
             org["finance"].pk: org["finance"].head}
    moment = NOW
    items = []
    with time_machine.travel(moment, tick=False) as traveller:
        for n in range(8):
            kind = rng.choice(["coordination", "external"])
            fields = {"needs_coordination": True} if kind == "coordination" else {"direction": "external"}
            fields["expected_feedback_at"] = moment + dt.timedelta(hours=rng.randint(2, 60))
            receivers = [{"kind": "unit", "unit": org[code]} for code in rng.sample(["prod", "finance"], rng.randint(1, 2))]
            items.append(submit_item(item=make_item(receivers=receivers, **fields), actor=org["officer_market"]))
        for _turn in range(60):
            moment += dt.timedelta(hours=rng.choice([1, 3, 7, 14, 26]), minutes=rng.randint(0, 59))
            traveller.move_to(moment)
            item = Item.objects.get(pk=rng.choice(items).pk)
            try:
                if item.state == Item.State.IN_REVIEW:
                    step = open_step(item)
                    actor = step.assignees.filter(decision="pending").first().user
                    if rng.random() < 0.2:
                        return_step(step=step, actor=actor, opinion="请补充")
                    else:
                        approve_step(step=step, actor=actor, opinion="同意")
                elif item.state == Item.State.RETURNED:
                    submit_item(item=item, actor=org["officer_market"])
                elif item.state == Item.State.APPROVED:
                    transmit_item(item=item, actor=org["officer_market"], methods=["system"])
                elif item.state == Item.State.TRANSMITTED:
                    receiver = item.receivers.exclude(state=Receiver.State.ANSWERED).first()
                    answer_receiver(receiver=receiver, actor=heads[receiver.unit_id], result="已办理")
            except LiaisonError:
                pass
            assert stored() == recount()

        assert ReviewStep.objects.filter(state="approved").exists()
        assert ReviewStep.objects.filter(state="returned").exists()
        assert Receiver.objects.filter(state="answered").exists()
        assert any(done > on_time for done, on_time in stored().values())  # some were late
        assert any(on_time for _done, on_time in stored().values())
        tz = timezone.get_default_timezone()
        start = dt.datetime.combine(NOW.date(), dt.time.min, tzinfo=tz)
        for days in (3, 10, 40):
            end = start + dt.timedelta(days=days)
            from_totals = ontime_report(org["secretary"], start, end, overdue=False)
            assert from_totals.review_total or from_totals.feedback_total
            live = ontime.whole_days
            ontime.whole_days = lambda *_: None
            try:
                counted = ontime_report(org["secretary"], start, end, overdue=False)
            finally:
                ontime.whole_days = live
            assert rates(from_totals) == rates(counted)


def test_a_skipped_step_and_an_external_answer_are_not_counted(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])
    withdraw_item(item=item, actor=org["officer_market"])  # the open step is skipped (撤销)
    assert ReviewStep.objects.filter(state="skipped").exists()
    assert not OnTimeDay.objects.exists()


def test_rebuild_replaces_the_totals_with_the_recount(org, make_item, frozen):
    item = submit_item(item=make_item(needs_coordination=True), actor=org["officer_market"])
    approve_step(step=open_step(item), actor=org["head_market"], opinion="同意")
    expected = stored()
    assert expected == {("review", NOW.date(), org["market"].pk): (1, 1)}
    OnTimeDay.objects.update(done=7)
    assert rebuild_ontime_days() == 1
    assert stored() == expected


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_decisions_at_once_in_one_department_both_count(org, make_item):
    with time_machine.travel(NOW, tick=False):
        items = [submit_item(item=make_item(needs_coordination=True), actor=org["officer_market"]) for _ in range(2)]
        steps = [open_step(item) for item in items]
        results = run_together([
            lambda step=step: approve_step(step=step, actor=org["head_market"], opinion="同意") for step in steps
        ])
    assert not any(isinstance(r, Exception) for r in results), results
    assert stored() == {("review", NOW.date(), org["market"].pk): (2, 2)} == recount()
