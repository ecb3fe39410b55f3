"""Visits as a criterion of the officers' assessment (relations/assessment.py),
counted only when HR includes a criterion with the code ``visits``."""
import datetime as dt
from decimal import Decimal

import pytest

from officers.assessment import AssessmentInvalid, compute_period, enter_hand_score, open_period
from officers.assessment_models import Criterion
from relations.services import visits
from tests.relations.conftest import MONDAY, TZ, at

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 20, 10, 0, tzinfo=TZ)


@pytest.fixture
def period(secretary):
    return open_period(actor=secretary, year=2026)


def include_visits(period, weight=10, target=4):
    return Criterion.objects.create(period=period, code="visits", name="走访与回访", source=Criterion.Source.MANUAL,
                                    weight=weight, target=target, sort_order=99)


def test_visits_are_not_counted_unless_hr_includes_them(period, secretary, action):
    results = compute_period(actor=secretary, period=period, now=NOW)

    assert all("visits" not in r.parts for r in results)


def test_visits_and_actions_done_on_time_earn_points_up_to_the_target(period, secretary, action, visit,
                                                                      officer_market, officer_prod):
    include_visits(period)
    with at(dt.datetime(2026, 3, 12, 10, 0, tzinfo=TZ)):
        visits.complete_action(actor=officer_market, action=action, result="已答复")
    with at(MONDAY):
        late = visits.add_action(actor=officer_market, visit=visit, text="寄送样品", owner=officer_market,
                                 due_on=dt.date(2026, 3, 10))

    results = {r.user.username: r for r in compute_period(actor=secretary, period=period, now=NOW)}

    part = results["officer_market"].parts["visits"]
    assert [(r["detail"], r["points"]) for r in part["records"]] == [
        ("登门走访", "1"), ("逾期未办结", "0"), ("按时办结", "0.5")]
    assert part["score"] == "3.75"  # 10 × 1.5 / 4
    assert results["officer_prod"].parts["visits"]["score"] == "0.00"
    assert late.pk


def test_the_part_is_capped_at_its_weight(period, secretary, officer_market, market, customer):
    include_visits(period, weight=5, target=2)
    for day in (2, 3, 4):
        with at(MONDAY):
            visits.record_visit(actor=officer_market, external_unit=customer, contact=None, unit=market,
                                visitors=[officer_market], visited_on=dt.date(2026, 3, day), kind="regular",
                                method="phone", purpose="电话回访")

    result = next(r for r in compute_period(actor=secretary, period=period, now=NOW)
                  if r.user.username == "officer_market")

    assert Decimal(result.parts["visits"]["score"]) == Decimal(5)


def test_hr_cannot_hand_score_the_computed_criterion(period, secretary, visit):
    criterion = include_visits(period)
    result = next(r for r in compute_period(actor=secretary, period=period, now=NOW)
                  if r.user.username == "officer_market")

    with pytest.raises(AssessmentInvalid, match="该考评项不是本年度的人工评分项"):
        enter_hand_score(actor=secretary, result=result, criterion=criterion, score=5, comment="好")
