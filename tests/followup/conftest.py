"""Fixtures for circulation and instructions: items through the real
services, at a Tuesday morning of an ordinary week."""
import datetime as dt
import importlib

import pytest
import time_machine
from django.utils import timezone

from infoflow.models import Item
from infoflow.services.chain import submit_item
from infoflow.services.drafting import create_item
from infoflow.services.incoming import register_incoming

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 10, 9, 30, tzinfo=TZ)  # a Tuesday


@pytest.fixture(autouse=True)
def default_routes(request):
    """The data migration's routes; a transactional test's flush removes them."""
    if not ({"db", "transactional_db"} & set(request.fixturenames)) and not request.node.get_closest_marker(
            "django_db"):
        return
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.apps import apps

    from infoflow.models import RouteRule

    if not RouteRule.objects.exists():
        importlib.import_module("infoflow.migrations.0003_default_routes").create_defaults(apps, None)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _fields(**extra):
    return {"subject": "关于三月安全检查情况的报告", "summary": "三月安全检查发现两处隐患，已整改。",
            "expected_feedback_at": timezone.now() + dt.timedelta(days=10), **extra}


@pytest.fixture
def transmitted(frozen, officer_market, market, prod, officer_prod):
    """A routine internal item from market to prod, sent on submission."""
    item = create_item(actor=officer_market, unit=market, fields=_fields(),
                       receivers=[{"kind": "unit", "unit": prod}])
    submit_item(item=item, actor=officer_market)
    item.refresh_from_db()
    assert item.state == Item.State.TRANSMITTED
    return item


@pytest.fixture
def draft(frozen, officer_market, market, prod):
    return create_item(actor=officer_market, unit=market, fields=_fields(), receivers=[{"kind": "unit", "unit": prod}])


@pytest.fixture
def report(frozen, officer_market, market, prod, head_market, leader):
    """A report to leadership (向领导报告) addressed to the supervising leader, sent."""
    item = create_item(actor=officer_market, unit=market, fields=_fields(kind="report"),
                       receivers=[{"kind": "user", "user": leader}])
    submit_item(item=item, actor=officer_market)
    item.refresh_from_db()
    return item


@pytest.fixture
def incoming(frozen, secretary, market, prod, officer_market, officer_prod):
    """A document from the market regulator, registered and assigned to market."""
    return register_incoming(
        actor=secretary, fields=_fields(subject="市场监管局关于开展广告合规自查的通知", unit=market),
        source_name="市场监督管理局", source_reference="市监〔2026〕12号",
        received_at=NOW - dt.timedelta(hours=1), unit_ids=[market])


@pytest.fixture
def all_staff_notice(frozen, officer_market, market, employee, outsider):
    """A notice to all staff (no answer), sent on submission."""
    item = create_item(actor=officer_market, unit=market,
                       fields=_fields(subject="关于清明节放假安排的通知", kind="notice", needs_answer=False,
                                      expected_feedback_at=None),
                       receivers=[{"kind": "all_staff"}])
    submit_item(item=item, actor=officer_market)
    item.refresh_from_db()
    assert item.state in (Item.State.TRANSMITTED, Item.State.COMPLETED)
    return item
