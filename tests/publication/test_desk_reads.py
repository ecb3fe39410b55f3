"""publication.desk_reads pages ``selectors.release_desk`` as the paginator
did (issue 12): the same items in the same order, the same page for every
page number, each row's release, plan and records as the ORM loads them."""
import pytest
from django.core.paginator import Paginator

from publication import selectors
from publication.desk_reads import desk_page_rows
from publication.services import release
from tests.infoflow.test_visibility import EVERYONE

from .conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(org, publish, wechat, bulletin_channel, news):
    """Publication items: released on two channels with a plan, released on one, not released, internal,
    restricted (never on the desk) and one whose subject holds LIKE's wildcards."""
    items = [publish(subject="市场部一"), publish(subject="市场部二"), publish(subject="市场部三"),
             publish(confidentiality="internal", subject="内部一条"), publish(confidentiality="restricted"),
             publish(subject="百分之百%_的增长")]
    release.record_release(actor=org["secretary"], item=items[0], channel=wechat)
    release.record_release(actor=org["secretary"], item=items[0], channel=bulletin_channel, category=news)
    release.record_release(actor=org["secretary"], item=items[1], channel=wechat)
    release.plan_release(actor=org["secretary"], item=items[2], planned_on=NOW.date(), channels=[wechat],
                         person_in_charge=org["secretary"])
    return items


def _expected(user, query, number, per_page):
    rows = selectors.release_desk(user)
    if query:
        rows = rows.filter(subject__icontains=query)
    page = Paginator(rows.select_related("unit", "release", "release__plan").prefetch_related("release__records"),
                     per_page).get_page(number)
    out = []
    for item in page.object_list:
        rel = getattr(item, "release", None)
        plan = getattr(rel, "plan", None) if rel is not None else None
        out.append((item.pk, item.number, item.subject, item.state, item.confidentiality, item.unit.name,
                    rel.first_released_at if rel is not None else None,
                    [(r.channel_name, r.released_at) for r in rel.records.all()] if rel is not None else [],
                    (plan.planned_on, plan.state) if plan is not None else None))
    return page.number, page.paginator.count, out


def _got(page):
    return page.number, page.paginator.count, [
        (r.pk, r.number, r.subject, r.state, r.confidentiality, r.unit_name, r.released,
         [tuple(x) for x in r.records], tuple(r.plan) if r.plan else None) for r in page.object_list]


def test_the_desk_pages_are_those_of_release_desk(org, desk):
    for query in ("", "市场部", "%_", "没有这样的"):
        for number in (1, 2, 3, 99, 0, -1, "x", None):
            expected = _expected(org["secretary"], query, number, 2)
            assert _got(desk_page_rows(org["secretary"], query=query, number=number, per_page=2)) == expected, (
                query, number)
    assert len(_expected(org["secretary"], "", 1, 20)[2]) == 5  # the restricted item is left out
    assert _got(desk_page_rows(org["secretary"], query="%_", per_page=2))[2][0][2] == "百分之百%_的增长"


def test_only_publishers_have_a_desk(org, desk):
    for name in EVERYONE:
        page = desk_page_rows(org[name])
        if selectors.is_publisher(org[name]):
            assert _got(page) == _expected(org[name], "", 1, 20), name
        else:
            assert page.paginator.count == 0 and list(page.object_list) == [], name
