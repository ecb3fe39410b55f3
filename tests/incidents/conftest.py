"""Incident fixtures: a severity of three working days reminded every working day, and an incident
the market officer registered on Monday 2026-03-09 10:00 (Beijing time)."""
import datetime as dt

import pytest
import time_machine

from incidents import services
from incidents.models import Severity

TZ = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 3, 9, 10, 0, tzinfo=TZ)


def at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def severity(db):
    return Severity.objects.create(code="test", name="测试级", limit_days=3, remind_days=1, sort_order=1)


@pytest.fixture
def report(severity, secretary, auditor):
    """report(actor, **fields) at MONDAY (the secretariat and supervision exist to be told)."""
    def make(actor, **fields):
        data = {"title": "共享盘文件被误删", "description": "上午发现共享盘“市场部”目录被清空。", "found_by": "张三",
                "found_at": MONDAY - dt.timedelta(hours=1), "severity": severity, "system": "共享盘"}
        data.update(fields)
        with at(MONDAY):
            return services.report_incident(actor=actor, **data)
    return make


@pytest.fixture
def incident(report, officer_market):
    return report(officer_market)
