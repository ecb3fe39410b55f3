"""``paginate_counted`` (infoflow/views/common.py) gives the pages
``paginate`` gives, in one query for a page inside the list (issue 12)."""
import pytest
from django.test import RequestFactory

from infoflow.views.common import PAGE_SIZE, paginate, paginate_counted
from officers.models import OrgUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(db):
    OrgUnit.objects.bulk_create([OrgUnit(code="p%02d" % n, name="部门%02d" % n, sort_order=n) for n in range(45)])
    return OrgUnit.objects.filter(code__startswith="p").order_by("sort_order")


def pages(queryset, number):
    request = RequestFactory().get("/", {} if number is None else {"page": number})
    return paginate(request, queryset), paginate_counted(request, queryset)


@pytest.mark.parametrize("number", [None, "1", "2", "3", "4", "99", "0", "-1", "abc", ""])
def test_the_same_pages_as_paginate(units, number):
    expected, got = pages(units, number)

    assert [u.code for u in got] == [u.code for u in expected]
    assert (got.number, got.paginator.count, got.paginator.num_pages) == (
        expected.number, expected.paginator.count, expected.paginator.num_pages)
    assert (got.has_next(), got.has_previous()) == (expected.has_next(), expected.has_previous())


def test_a_page_inside_the_list_is_one_query(units, django_assert_num_queries):
    request = RequestFactory().get("/", {"page": "2"})
    with django_assert_num_queries(1):
        page = paginate_counted(request, units)
        assert len(list(page)) == PAGE_SIZE and page.paginator.count == 45 and page.paginator.num_pages == 3


def test_an_empty_list_is_one_query_and_one_empty_page(units, django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(1):
        page = paginate_counted(request, units.filter(code="none"))
        assert list(page) == [] and page.paginator.count == 0 and page.number == 1
