"""Fixtures of the library tests: the persona organisation (tests.personas)
plus library categories and a few entries built through the services."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from library import services
from library.models import Category

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="规定.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def regulation(db):
    return Category.objects.get_or_create(name="法律法规")[0]


@pytest.fixture
def template_category(db):
    return Category.objects.get_or_create(name="模板范本")[0]


def fields(category, **extra):
    values = {"title": "安全生产法规汇编", "summary": "本部门适用的安全生产法律法规。", "body": "",
              "category": category, "issuer": "应急管理部", "reference": "应急〔2026〕1号",
              "valid_from": dt.date(2026, 1, 1), "valid_until": None, "confidentiality": "internal"}
    values.update(extra)
    return values


@pytest.fixture
def make_entry(regulation):
    def make(actor, department, units=(), files=(), **extra):
        return services.create_entry(actor=actor, department=department, fields=fields(regulation, **extra),
                                     units=units, files=files)
    return make


@pytest.fixture
def internal_entry(make_entry, officer_market, market):
    return make_entry(officer_market, market)


@pytest.fixture
def restricted_entry(make_entry, officer_market, market):
    return make_entry(officer_market, market, title="市场部限定资料 机密报价", confidentiality="restricted")


@pytest.fixture
def make_item(market, officer_market):
    """An information item of 市场部 in ``state`` with the grants of its path."""
    from infoflow.models import Item
    from infoflow.permissions import sync_item_grants

    counter = {"n": 0}

    def make(state="completed", confidentiality="internal", subject="关于安全生产标准的通知", unit=None,
             initiator=None, **extra):
        counter["n"] += 1
        item = Item.objects.create(unit=unit or market, initiator=initiator or officer_market, subject=subject,
                                   summary="摘要：请各部门学习。", state=state, confidentiality=confidentiality,
                                   number="NX-2026-%03d" % (800 + counter["n"]), needs_answer=False, **extra)
        sync_item_grants(item)
        return item
    return make
