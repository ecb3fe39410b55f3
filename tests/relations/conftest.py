"""Relations fixtures: the market's customer with a contact, a visit of the
market officer on 2026-03-09 with a follow-up action due 2026-03-13 17:30,
and the regulator's yearly annual report owed by the market, due 2026-03-20."""
import datetime as dt

import pytest
import time_machine

from relations.models import Obligation, Visit
from relations.services import obligations, visits
from tests.factories import ExternalContactFactory, ExternalUnitFactory

TZ = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 3, 9, 10, 0, tzinfo=TZ)


def at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def customer(market):
    return ExternalUnitFactory(name="苏州宏达机电", kind="customer", responsible_unit=market)


@pytest.fixture
def contact(customer):
    return ExternalContactFactory(external_unit=customer, name="刘建华")


@pytest.fixture
def regulator(db):
    return ExternalUnitFactory(name="市场监督管理局", kind="regulator")


def make_visit(actor, unit, external_unit, contact=None, **extra):
    data = {"actor": actor, "external_unit": external_unit, "contact": contact, "unit": unit,
            "visitors": [actor], "visited_on": dt.date(2026, 3, 9), "kind": Visit.Kind.REGULAR,
            "method": Visit.Method.ONSITE, "purpose": "季度客户回访", "findings": "备件到货偏慢"}
    data.update(extra)
    with at(MONDAY):
        return visits.record_visit(**data)


@pytest.fixture
def visit(officer_market, market, customer, contact):
    return make_visit(officer_market, market, customer, contact)


@pytest.fixture
def action(visit, officer_market):
    with at(MONDAY):
        return visits.add_action(actor=officer_market, visit=visit, text="答复备件到货时限", owner=officer_market,
                                 due_on=dt.date(2026, 3, 13))


def make_obligation(secretary, body, **extra):
    data = {"body": body, "title": "企业年度报告公示", "kind": Obligation.Kind.ANNUAL_REPORT,
            "recurrence": Obligation.Recurrence.YEARLY, "first_due_on": dt.date(2026, 3, 20), "remind_days": 3}
    data.update(extra)
    with at(MONDAY):
        return obligations.create_obligation(actor=secretary, obligation=Obligation(**data))


@pytest.fixture
def obligation(secretary, regulator, market, officer_market):
    return make_obligation(secretary, regulator, owner_unit=market)


@pytest.fixture
def occurrence(obligation):
    return obligation.occurrences.get()
