"""The demo (rules.demo, officers.demo_recommendations): the implementing
rules in two versions with read receipts, and a pending recommendation with an
interview; idempotent."""
import pytest
import time_machine

from officers import demo as officers_demo
from officers import demo_recommendations
from officers.models import Recommendation
from rules import demo
from rules.models import ReadConfirmation, RuleVersion

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("today", ["2026-03-09 09:00+08:00", "2026-10-09 15:00+08:00"])
def test_demo_rules_and_recommendation_once(today):
    with time_machine.travel(today, tick=False):
        officers_demo.seed()
        created = (demo.seed(), demo_recommendations.seed())
        again = (demo.seed(), demo_recommendations.seed())

    assert (created, again) == ((1, 1), (0, 0))
    current = RuleVersion.objects.get(state=RuleVersion.State.CURRENT)
    assert RuleVersion.objects.filter(state=RuleVersion.State.SUPERSEDED).count() == 1
    receipts = {c.user.username: c.confirmed_at is not None
                for c in ReadConfirmation.objects.filter(version=current, user__username__in=[
                    "officer_market", "officer_prod"]).select_related("user")}
    assert receipts == {"officer_market": True, "officer_prod": False}
    rec = Recommendation.objects.get()
    assert (rec.candidate.username, rec.state) == ("employee", Recommendation.State.INTERVIEW)
