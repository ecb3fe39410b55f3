"""The library list's statement compiled once per shape (library.list_sql,
issue 12) reads the rows, counts and pages of the ORM's queryset — the
selectors' visibility, filters and search — for every persona, filter and
search; a statement compiled for one user serves another of the same shape
with that user's own ids; the shapes it cannot answer go the ORM's way."""
import datetime as dt

import pytest
from django.test import RequestFactory

from infoflow.views.common import paginate_counted
from library import list_sql, selectors, services
from library.models import Category, Entry
from library.search import search
from tests.library.conftest import fields

pytestmark = pytest.mark.django_db

PEOPLE = ("officer_market", "head_market", "employee", "officer_prod", "head_prod", "secretary", "leader", "gm",
          "auditor", "outsider")
TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def people(officer_market, head_market, employee, officer_prod, head_prod, secretary, leader, gm, auditor, outsider):
    return {u.username: u for u in (officer_market, head_market, employee, officer_prod, head_prod, secretary,
                                    leader, gm, auditor, outsider)}


@pytest.fixture
def entries(people, regulation, template_category, market, prod, make_item):
    """Entries of every kind: internal and public of both departments,
    restricted to a unit, a restricted copy of an item, withdrawn, featured,
    expired and pending, of two categories; 25 more for a second page."""
    officer, other, secretary = people["officer_market"], people["officer_prod"], people["secretary"]

    def make(actor, department, category=regulation, units=(), **extra):
        return services.create_entry(actor=actor, department=department, fields=fields(category, **extra),
                                     units=units)

    make(officer, market)
    make(officer, market, title="ISO9001 质量手册", confidentiality="public", category=template_category)
    make(other, prod, title="生产部限定 安全规程", confidentiality="restricted", units=[prod])
    make(officer, market, title="市场部限定资料 机密报价", confidentiality="restricted")
    make(other, prod, title="过期的安全通知", valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2025, 12, 31))
    make(other, prod, title="将来生效 100%_规定", valid_from=dt.date(2027, 1, 1))
    withdrawn = make(officer, market, title="撤回的安全生产规定")
    services.withdraw_entry(actor=secretary, entry=withdrawn, reason="已被替代")
    withdrawn_prod = make(other, prod, title="生产部撤回资料")
    services.withdraw_entry(actor=secretary, entry=withdrawn_prod, reason="已被替代")
    featured = make(other, prod, title="推荐 安全生产 指南")
    services.set_featured(actor=secretary, entry=featured, featured=True)
    item = make_item(confidentiality="restricted", subject="限定 安全生产 检查通知")
    services.file_item(actor=officer, item=item, category=regulation, department=market)
    for n in range(25):
        make(officer if n % 2 else other, market if n % 2 else prod, title="安全生产资料 第%d号" % n,
             category=template_category if n % 3 else regulation)
    return Entry.objects.count()


def _filters(category, department):
    return [
        {}, {"category": str(category)}, {"department": str(department)}, {"validity": "valid"},
        {"validity": "expired"}, {"validity": "pending"}, {"state": "withdrawn"}, {"state": "all"},
        {"featured": True}, {"validity": "nonsense", "state": "bogus"}, {"category": "abc", "department": "-1"},
        {"category": str(category), "department": str(department), "validity": "valid", "state": "all",
         "featured": True},
    ]


SEARCHES = ["", "安全生产", "安", "iso", "ISO9001 质量", "规定 安", "100%_\\'", "  安全  生产 ", "不存在的词"]


def _request(user, page=None):
    request = RequestFactory().get("/library/", {} if page is None else {"page": page})
    request.user = user
    return request


def _args(filters, q):
    return {"category": filters.get("category", ""), "department": filters.get("department", ""),
            "validity": filters.get("validity", ""), "state": filters.get("state", ""),
            "featured": filters.get("featured", False), "q": q, "today": TODAY}


def _orm(user, filters, q, page=None):
    args = _args(filters, q)
    q, today = args.pop("q"), args.pop("today")
    qs = selectors.filter_entries(selectors.entries_visible_to(user), today=today, **args)
    return paginate_counted(_request(user, page), selectors.list_values(search(qs, q)))


def _same(got, expected):
    assert got is not None
    assert list(got.object_list) == list(expected.object_list)  # the dicts, list_total included
    assert (got.number, got.paginator.count, got.paginator.num_pages) == (
        expected.number, expected.paginator.count, expected.paginator.num_pages)


@pytest.mark.parametrize("persona", PEOPLE)
def test_the_compiled_list_is_the_orm_list_for_every_persona_filter_and_search(entries, people, persona, market,
                                                                               regulation):
    user = people[persona]
    seen_rows = 0
    for filters in _filters(regulation.pk, market.pk):
        for q in SEARCHES:
            got = list_sql.page(_request(user), **_args(filters, q))
            expected = _orm(user, filters, q)
            _same(got, expected)
            seen_rows += len(expected.object_list)
    assert seen_rows  # every persona sees some entries


@pytest.mark.parametrize("persona", ["officer_market", "secretary", "head_prod"])
def test_pages_and_what_goes_the_orm_way(entries, people, persona):
    user = people[persona]
    for page in ("1", "2", "abc", ""):
        _same(list_sql.page(_request(user, page), **_args({}, "")), _orm(user, {}, "", page))
        _same(list_sql.page(_request(user, page), **_args({}, "安全")), _orm(user, {}, "安全", page))
    # Below 1 and past the end: the ORM's pages (the first, the last).
    for page in ("0", "-1", "99"):
        assert list_sql.page(_request(user, page), **_args({}, "")) is None
    assert list_sql.page(_request(user), **_args({"category": "99999999999"}, "")) is None


def test_the_statement_of_one_user_serves_another_of_the_same_shape(entries, people, make_entry, officer_market):
    list_sql._cache.clear()
    first, second = people["officer_market"], people["officer_prod"]
    _same(list_sql.page(_request(first), **_args({}, "安全")), _orm(first, {}, "安全"))
    compiled = len(list_sql._cache)
    _same(list_sql.page(_request(second), **_args({}, "安全")), _orm(second, {}, "安全"))
    assert len(list_sql._cache) == compiled  # the same shape: no new statement
    assert list_sql.page(_request(first), **_args({}, "安全")).object_list != \
        list_sql.page(_request(second), **_args({}, "安全")).object_list


def test_an_inactive_user_or_a_deputy_goes_the_orm_way(entries, people):
    from datetime import timedelta

    from django.utils import timezone

    from infoflow.models import Delegation

    head = people["head_market"]
    Delegation.objects.create(principal=people["leader"], deputy=head, start=timezone.now() - timedelta(days=1),
                              end=timezone.now() + timedelta(days=1), created_by=people["leader"])
    assert list_sql.page(_request(head), **_args({}, "")) is None
    outsider = people["outsider"]
    outsider.is_active = False
    assert list_sql.page(_request(outsider), **_args({}, "")) is None


def test_the_filters_choices_are_the_querysets(entries, regulation):
    Category.objects.create(name="停用类别", active=False)
    from officers.models import OrgUnit

    assert list_sql.departments() == list(OrgUnit.objects.filter(is_active=True).values_list("pk", "name"))
    assert list_sql.categories() == list(selectors.categories().values_list("pk", "name"))


def test_the_list_page_is_the_same_html_either_way(entries, people, client, monkeypatch):
    """The view's HTML through the compiled rows and through the ORM's."""
    urls = ["/library/", "/library/?q=安全生产", "/library/?validity=valid&featured=1", "/library/?state=all&page=2",
            "/library/?state=withdrawn&q=规定"]
    for persona in ("officer_market", "secretary", "head_prod", "leader"):
        client.force_login(people[persona])
        for url in urls:
            compiled = client.get(url)
            with monkeypatch.context() as patched:
                patched.setattr(list_sql, "page", lambda *a, **k: None)
                orm = client.get(url)
            assert compiled.status_code == orm.status_code == 200
            assert _masked(compiled.content) == _masked(orm.content)


def _masked(content: bytes) -> bytes:
    import re

    return re.sub(rb'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', rb"\1X", content)
