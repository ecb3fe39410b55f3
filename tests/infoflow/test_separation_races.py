"""Races on PostgreSQL for the separation of duties: two people naming each
other as deputy at the same moment give one delegation and one refusal, and
so do the last two links of a three-person cycle created at once."""
import datetime as dt

import pytest
import time_machine

from infoflow.models import Delegation
from infoflow.services.delegation import create_delegation
from tests.infoflow.conftest import NOW
from tests.infoflow.test_races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

START = NOW + dt.timedelta(hours=1)
END = NOW + dt.timedelta(days=2)


def _naming(org, principal, deputy):
    return lambda: create_delegation(actor=org[principal], principal=org[principal], deputy=org[deputy],
                                     start=START, end=END)


def test_two_people_naming_each_other_at_once_give_one_delegation(org):
    with time_machine.travel(NOW, tick=False):
        results = run_together([_naming(org, "head_market", "head_prod"), _naming(org, "head_prod", "head_market")])

    assert sorted(type(r).__name__ for r in results) == ["Delegation", "StateConflict"], results
    assert Delegation.objects.count() == 1


def test_the_closing_links_of_a_four_person_cycle_created_at_once_give_one(org):
    # A→B and C→D exist; B→C and D→A share no person, so only the one lock
    # for every creation keeps both from passing the cycle check.
    with time_machine.travel(NOW, tick=False):
        _naming(org, "head_market", "head_prod")()
        _naming(org, "leader", "gm")()
        results = run_together([_naming(org, "head_prod", "leader"), _naming(org, "gm", "head_market")])

    assert sorted(type(r).__name__ for r in results) == ["Delegation", "StateConflict"], results
    assert Delegation.objects.count() == 3


def test_an_approval_and_the_reviewers_deactivation_at_once_leave_one_consistent_outcome(org, make_item):
    from infoflow.models import Item, StepAssignee
    from infoflow.services.chain import approve_step, open_step, submit_item
    from infoflow.services.handover import deactivate_user

    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])
    step = open_step(Item.objects.get(pk=item.pk))

    results = run_together([
        lambda: approve_step(step=step, actor=org["head_market"], opinion="同意"),
        lambda: deactivate_user(user=org["head_market"], actor=org["secretary"]),
    ])

    approved, handed = results
    head = StepAssignee.objects.get(step=step, user=org["head_market"])
    if isinstance(approved, Exception):
        # The handover came first: the head's place went to the leader and his approval found it closed.
        assert type(approved).__name__ == "StepClosed", results
        assert [e["to"] for _s, e in handed] == [["李四"]]
        assert head.decision == "not_needed"
        assert list(StepAssignee.objects.filter(step=step, decision="pending").values_list("user__username", flat=True)) == ["leader"]
    else:
        # The approval came first: nothing was left to hand over.
        assert handed == [], results
        assert head.decision == "approved"
    assert not StepAssignee.objects.filter(step=step, user=org["head_market"], decision="pending").exists()
