"""Adoption recorded per item feeds the officers' assessment
(officers/assessment_scores.py reads briefs.Adoption)."""
import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from briefs.services import adoption as adoption_services
from briefs.services import issues as services
from infoflow.models import Item
from officers.assessment import compute_period, open_period
from officers.assessment_models import AssessmentResult
from officers.assessment_scores import adoption_level
from officers.models import Officer
from tests.briefs.conftest import NOW, TZ, make_item

pytestmark = pytest.mark.django_db

LATER = dt.datetime(2027, 1, 10, 10, 0, tzinfo=TZ)


@pytest.fixture
def period(secretary):
    with time_machine.travel(LATER, tick=False):
        return open_period(actor=secretary, year=2026)


def items_part(user):
    return AssessmentResult.objects.get(user=user).parts["items"]


def test_recorded_levels_raise_the_items_part(period, market, officer_market, secretary):
    Officer.objects.filter(user=officer_market).update(appointed_on=dt.date(2025, 1, 1))
    plain = make_item(market, officer_market, "部门采用的信息")                     # derived: department, 1
    in_brief = make_item(market, officer_market, "编入简报的信息")                  # bulletin → organisation, 2
    outside = make_item(market, officer_market, "省报刊登的信息")                   # recorded → publication, 3
    with time_machine.travel(LATER, tick=False):
        compute_period(actor=secretary, period=period)
    before = Decimal(items_part(officer_market)["raw"])

    issue = services.create_issue(actor=secretary, period="2026-03")
    services.add_item(issue=issue, item=in_brief, actor=secretary)
    with time_machine.travel(NOW, tick=False):
        services.publish_issue(issue=issue, actor=secretary)
    adoption_services.record_adoption(item=outside, level="publication", actor=secretary, note="省报刊登")
    with time_machine.travel(LATER, tick=False):
        compute_period(actor=secretary, period=period)

    part = items_part(officer_market)
    assert before == Decimal("3.00")
    assert Decimal(part["raw"]) == Decimal("6.00")  # 1 + 2 + 3
    details = {r["label"]: r["detail"] for r in part["records"]}
    assert details[plain.number] == "部门采用"
    assert details[in_brief.number] == "公司采用"
    assert details[outside.number] == "对外发布/报送"


def test_a_lower_recorded_level_does_not_lower_the_derived_one(market, officer_market):
    item = make_item(market, officer_market, "对外报送", state=Item.State.COMPLETED)
    item.direction = "external"

    assert adoption_level(item, set(), "department") == "publication"
    assert adoption_level(item, set(), None) == "publication"


def test_a_recorded_level_counts_only_for_what_it_names(market, officer_market):
    item = make_item(market, officer_market, "审核中", state=Item.State.IN_REVIEW)

    assert adoption_level(item, set(), "organisation") == "organisation"
    assert adoption_level(item, set(), "bogus") == "none"
