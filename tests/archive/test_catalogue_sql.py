"""The catalogue's statements compiled once per shape (archive.catalogue_sql,
issue 12) are exactly the ORM's — the same SQL, the same parameters — for
every role and filter, and read the same rows; a statement compiled for one
user serves another of the same shape with that user's own values."""
import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone
from guardian.shortcuts import assign_perm

from archive import catalogue_sql
from archive.selectors import (
    awaiting_archive,
    catalogue,
    catalogue_table_rows,
    classification_counts,
    records_visible_to,
    with_total,
)
from archive.services import archive_item
from infoflow.models import Delegation
from tests.factories import RoleFactory, UserFactory

PEOPLE = ["officer_market", "head_market", "officer_prod", "head_prod", "leader", "secretary", "gm", "auditor",
          "employee", "outsider"]
FILTERS = [
    {}, {"year": 2026}, {"importance": "normal"}, {"unit_type": "x"}, {"top": "信息"}, {"mid": "通知"},
    {"month": "2026-03"}, {"retention_state": "current"}, {"retention_state": "due"}, {"retention_state": "held"},
    {"retention_state": "permanent"}, {"retention_state": "destroyed"},
    {"year": 2026, "importance": "normal", "retention_state": "current", "top": "信息", "mid": "通知"},
]
SEARCHES = [{"q": "合同续签"}, {"q": "  Contract 续签 "}, {"q": "100%_\\'"}, {"q": "合同", "year": 2026}]
MOMENT = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.timezone.utc)
TODAY = dt.date(2026, 11, 30)


def orm(kind, user, filters):
    if kind == "rows":
        rows = catalogue(user, vendor=connection.vendor, visible=records_visible_to(user, moment=MOMENT), today=TODAY,
                         **filters)
        return with_total(catalogue_table_rows(rows))
    if kind == "page":
        rows = catalogue(user, vendor=connection.vendor, visible=records_visible_to(user, moment=MOMENT), today=TODAY)
        return catalogue_table_rows(rows)
    if kind == "tree":
        return classification_counts(records_visible_to(user, moment=MOMENT))
    return awaiting_archive(user, moment=MOMENT)


def sql_of(queryset):
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


@pytest.fixture
def people(request, make_item, prod, officer_prod, officer_market, employee, leader, market):
    archive_item(item=make_item(subject="市场部合同续签"))
    prod_item = make_item(unit=prod, initiator=officer_prod, subject="生产部设备检修")
    archive_item(item=prod_item)
    # On officer_market's path: their deputy sees it while the delegation lasts.
    assign_perm("infoflow.view_item", officer_market, prod_item)
    archive_item(item=make_item(subject="全员通知 Contract 续签", to_all_staff=True))
    secret_item = make_item(subject="限定范围的人事调整", confidentiality="restricted")
    assign_perm("infoflow.view_item", officer_market, secret_item)
    archive_item(item=secret_item)
    archive_item(item=make_item(subject="限定范围，无人授权", confidentiality="restricted"))
    make_item(subject="待归档的办结信息")  # completed, not archived: the secretariat's pending list
    archivist = UserFactory(username="archivist")
    RoleFactory(user=archivist, role="archivist")
    boss = UserFactory(username="boss", is_superuser=True)
    # A deputy reads what the principal sees by the path at MOMENT (the moment is a parameter).
    Delegation.objects.create(principal=officer_market, deputy=employee, created_by=officer_market,
                              start=MOMENT - dt.timedelta(days=1), end=MOMENT + dt.timedelta(days=1))
    return [request.getfixturevalue(name) for name in PEOPLE] + [archivist, boss]


@pytest.mark.django_db
def test_the_statements_are_the_orms_for_every_role_and_filter(people, market):
    searches = SEARCHES if connection.vendor == "postgresql" else []
    searches = searches + [{"unit": market.pk}, {"unit": market.pk, "year": 2026}]
    compared = 0
    for user in people:
        for kind, cases in (("rows", FILTERS + searches), ("page", [{}]), ("tree", [{}]), ("pending", [{}])):
            for filters in cases:
                compiled = catalogue_sql.statement(kind, user, filters, MOMENT, TODAY)
                expected = orm(kind, user, filters)
                assert compiled is not None
                assert (compiled[0], list(compiled[1])) == sql_of(expected), (user.username, kind, filters)
                got = catalogue_sql.run(kind, user, filters, MOMENT, TODAY,
                                        limit=(0, 20) if kind in ("rows", "page") else None)
                if kind == "tree":
                    assert got == [tuple(row.values()) for row in expected], (user.username, filters)
                    # The unfiltered page's total is the tree's (catalogue_view): every row, counted by the tree.
                    assert sum(row[-1] for row in got) == orm("rows", user, {}).count(), user.username
                elif kind == "page":
                    assert [r.pk for r in got] == [r.pk for r in expected[0:20]], user.username
                else:
                    assert [(r.pk, getattr(r, "page_total", None)) for r in got] == [
                        (r.pk, getattr(r, "page_total", None)) for r in (expected[0:20] if kind == "rows" else expected)
                    ], (user.username, kind, filters)
                compared += 1
    assert compared == len(people) * (len(FILTERS) + len(searches) + 3)


@pytest.mark.django_db
def test_a_statement_compiled_for_one_user_takes_anothers_values(people, officer_market, officer_prod, secretary, gm):
    catalogue_sql._cache.clear()
    for first, second in ((officer_market, officer_prod), (secretary, gm)):
        catalogue_sql.run("rows", first, {"year": 2026}, MOMENT, TODAY)  # compiled for the first
        mine = catalogue_sql.run("rows", second, {"year": 2026}, MOMENT, TODAY)
        assert {r.pk for r in mine} == set(orm("rows", second, {"year": 2026}).values_list("pk", flat=True))
        assert catalogue_sql.statement("rows", second, {"year": 2025}, MOMENT, TODAY)[1] == sql_of(
            orm("rows", second, {"year": 2025}))[1]


@pytest.mark.django_db
def test_the_deputys_sight_follows_the_moment(people, employee):
    during = {r.pk for r in catalogue_sql.run("rows", employee, {}, MOMENT, TODAY)}
    after = {r.pk for r in catalogue_sql.run("rows", employee, {}, MOMENT + dt.timedelta(days=2), TODAY)}
    assert during == set(records_visible_to(employee, moment=MOMENT).values_list("pk", flat=True))
    assert after == set(records_visible_to(employee, moment=MOMENT + dt.timedelta(days=2)).values_list("pk", flat=True))
    assert during > after  # the delegation showed a record on the principal's path


@pytest.mark.django_db
def test_a_search_elsewhere_than_postgresql_goes_through_the_orm(people, secretary):
    found = catalogue_sql.statement("rows", secretary, {"q": "合同"}, timezone.now(), timezone.localdate())
    assert (found is None) == (connection.vendor != "postgresql")
    # A search of nothing is no search (selectors.search), compiled as the plain list.
    assert catalogue_sql.statement("rows", secretary, {"q": "   "}, MOMENT, TODAY) == \
        catalogue_sql.statement("rows", secretary, {}, MOMENT, TODAY)


def test_stand_ins_the_statement_does_not_take_are_refused(secretary, db):
    with pytest.raises(ValueError):
        catalogue_sql._compile(records_visible_to(secretary), [-1, 32_101], [32_101])
