"""Data call fixtures: a secretary's form call sent to market and prod."""
import datetime as dt

import pytest
import time_machine

from datacalls import services

TZ = dt.timezone(dt.timedelta(hours=8))

FIELDS = [
    {"key": "opinion", "label": "顾客意见", "type": "longtext", "required": True, "unit": "", "choices": [],
     "columns": []},
    {"key": "amount", "label": "销售额", "type": "number", "required": False, "unit": "万元", "choices": [],
     "columns": []},
    {"key": "level", "label": "满意度", "type": "choice", "required": False, "unit": "",
     "choices": ["满意", "一般", "不满意"], "columns": []},
]


def make_call(secretary, units, **extra):
    data = {"title": "季度顾客意见征询", "fields": FIELDS, "schedule": "once", "due_on": dt.date(2026, 3, 20),
            "recipients": "selected"}
    data.update(extra)
    return services.create_call(actor=secretary, data=data, units=units)


@pytest.fixture
def call(secretary, market, prod, officer_market, officer_prod):
    return make_call(secretary, [market, prod])


@pytest.fixture
def sent(call, secretary):
    """The one-off call sent on 2026-03-10 (due 2026-03-20 17:30)."""
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=TZ), tick=False):
        services.send_call(call=call, actor=secretary)
    return call


@pytest.fixture
def occurrence(sent):
    return sent.occurrences.get()


@pytest.fixture
def market_answer(occurrence, market):
    return occurrence.answers.get(unit=market)
