"""The relations demo (relations/demo.py): a visit with a follow-up action and
an obligation due next month; a second run creates nothing."""
import datetime as dt

import pytest
import time_machine

from officers import demo as officers_demo
from relations import demo
from relations.models import FollowUpAction, Occurrence, Visit

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_visit_with_a_follow_up_and_an_obligation_due_next_month():
    with time_machine.travel("2026-03-02 10:00+08:00", tick=False):
        officers_demo.seed()
        created = demo.seed()
        again = demo.seed()

    assert created == 3 and again == 0
    visit = Visit.objects.get()
    assert visit.external_unit.name == demo.CUSTOMER and visit.visitors.count() == 2
    assert FollowUpAction.objects.get().owner.username == "officer_market"
    assert Occurrence.objects.filter(due_on=dt.date(2026, 4, 15), obligation__title="企业年度报告公示").exists()
    assert Occurrence.objects.filter(due_on=dt.date(2027, 1, 31), obligation__kind="dues").exists()
