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
