"""liaison.paging.count_then_page (issue 12): the pages of Paginator, the rows read only when there are any."""
import pytest
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.test import RequestFactory

from liaison.paging import count_then_page

pytestmark = pytest.mark.django_db


def _request(page=None):
    return RequestFactory().get("/", {"page": page} if page is not None else {})


def test_same_pages_as_the_paginator():
    User = get_user_model()
    User.objects.bulk_create([User(username=f"p{n:02d}") for n in range(7)])
    users = User.objects.filter(username__startswith="p").order_by("username")
    for raw in (None, "1", "2", "3", "99", "x", "0"):
        expected = Paginator(users, 3).get_page(raw)
        page = count_then_page(_request(raw), users, 3)
        assert (page.number, page.paginator.count, page.paginator.num_pages) == (
            expected.number, expected.paginator.count, expected.paginator.num_pages)
        assert [u.username for u in page] == [u.username for u in expected]


def test_rows_built_only_for_a_page(django_assert_num_queries):
    User = get_user_model()
    built = []

    def rows(found):
        built.append(found)
        return found.order_by("username")

    with django_assert_num_queries(1):  # the COUNT only
        page = count_then_page(_request(), User.objects.filter(username="nobody"), 20, rows)
        assert list(page) == [] and page.paginator.count == 0
    assert built == []
    with django_assert_num_queries(0):  # empty by its filter: no SQL at all
        page = count_then_page(_request(), User.objects.none(), 20, rows)
        assert list(page) == [] and page.paginator.num_pages == 1
    User.objects.create(username="somebody")
    with django_assert_num_queries(2):  # the COUNT, then the page's rows
        page = count_then_page(_request(), User.objects.filter(username="somebody"), 20, rows)
        assert [u.username for u in page] == ["somebody"]
    assert len(built) == 1
