"""Item fixtures for the infoflow tests, built on tests/personas.py.

The default routes come from the data migration (they exist in every test
database). ``make_item`` drafts an item through the service, so grants and
history are what a real user would get.
"""
import datetime as dt
import importlib
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from infoflow.models import Category
from infoflow.services.drafting import create_item

# A Tuesday morning in an ordinary week (no holiday near).
NOW = dt.datetime(2026, 3, 10, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def default_routes(request):
    """The default categories and routes of the data migration. A transactional
    test's flush removes migration data, so put it back when it is missing."""
    if "django_db" not in {m.name for m in request.node.iter_markers()} and not (
        {"db", "transactional_db"} & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
    from django.apps import apps

    from infoflow.models import RouteRule

    if not RouteRule.objects.exists():
        importlib.import_module("infoflow.migrations.0003_default_routes").create_defaults(apps, None)


def _is_transactional(request):
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def category(db):
    return Category.objects.get(code="production")


@pytest.fixture
def emergency_category(db):
    return Category.objects.get(code="emergency")


@pytest.fixture
def make_item(db, officer_market, market):
    """make_item(kind=..., receivers=[...], actor=..., unit=..., **fields) → draft Item."""

    def make(*, actor=None, unit=None, receivers=None, **fields):
        values = {
            "subject": "关于二季度客户回访安排的通知",
            "summary": "请各部门于3月20日前报送客户回访名单。",
            "expected_feedback_at": timezone.now() + dt.timedelta(days=10),
        }
        values.update(fields)
        if receivers is None:
            from officers.models import OrgUnit

            receivers = [{"kind": "unit", "unit": OrgUnit.objects.get(code="prod")}]
        return create_item(actor=actor or officer_market, unit=unit or market, fields=values, receivers=receivers)

    return make


@pytest.fixture
def org(market, prod, finance, officer_market, officer_prod, head_market, head_prod, leader, secretary, gm, legal,
        auditor, employee, outsider):
    """The whole persona organisation at once."""
    return {
        "market": market, "prod": prod, "finance": finance, "officer_market": officer_market,
        "officer_prod": officer_prod, "head_market": head_market, "head_prod": head_prod, "leader": leader,
        "secretary": secretary, "gm": gm, "legal": legal, "auditor": auditor, "employee": employee,
        "outsider": outsider,
    }


def png_upload(name="photo.png", size=(800, 600)):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf_upload(name="letter.pdf"):
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")
