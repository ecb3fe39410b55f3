"""Validity (expired entries marked and filterable) and full-text search on
PostgreSQL (bigram tsvector, library.search) and by plain matching (the
SQLite branch, run here on whichever database the tests use)."""
import datetime as dt

import pytest
import time_machine
from django.db import connection

from library.models import Entry
from library.search import index_text, pieces, search
from library.selectors import entries_visible_to, filter_entries, list_rows

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def three(make_entry, officer_market, market):
    with time_machine.travel(TODAY, tick=False):
        return {
            "valid": make_entry(officer_market, market, title="在用的规定", valid_until=dt.date(2026, 6, 15)),
            "expired": make_entry(officer_market, market, title="过期的规定", valid_until=dt.date(2026, 6, 14)),
            "pending": make_entry(officer_market, market, title="将生效的规定", valid_from=dt.date(2026, 7, 1)),
        }


@pytest.mark.parametrize("validity,expected", [("valid", {"valid"}), ("expired", {"expired"}),
                                               ("pending", {"pending"}), ("", {"valid", "expired", "pending"})])
def test_validity_filter_uses_the_last_day_inclusively(three, officer_market, validity, expected):
    names = {v.pk: k for k, v in three.items()}

    rows = filter_entries(entries_visible_to(officer_market), validity=validity, today=TODAY.date())

    assert {names[e.pk] for e in rows} == expected


def test_expired_entry_is_marked_in_list_and_detail(client, three, officer_market):
    client.force_login(officer_market)

    with time_machine.travel(TODAY, tick=False):
        listing = client.get("/library/", {"validity": "expired"}).content.decode()
        detail = client.get("/library/%d/" % three["expired"].pk).content.decode()

    assert "过期的规定" in listing and "在用的规定" not in listing and "已过期" in listing
    assert "该资料已过有效期，仅供参考。" in detail


def test_pieces_cut_chinese_into_pairs_and_fold_width():
    assert pieces("安全生产法") == ["安全", "全生", "生产", "产法"]
    assert pieces("ＩＳＯ９００１ 质量") == ["iso9001", "质量"]
    assert pieces("法") == ["法"]
    assert pieces("&|!:*()") == []
    assert index_text("安全生产", "GB/T 22239") == "安全 全生 生产 gb t 22239"


@pytest.fixture
def library(make_entry, officer_market, market):
    return {
        "law": make_entry(officer_market, market, title="中华人民共和国安全生产法", summary="安全生产第一责任人"),
        "iso": make_entry(officer_market, market, title="ISO9001 质量管理体系要求", summary="质量手册"),
        "price": make_entry(officer_market, market, title="竞品价格月报", summary="华东区域"),
    }


QUERIES = [("安全生产", {"law"}), ("生产法", {"law"}), ("责任人", {"law"}), ("iso", {"iso"}), ("ＩＳＯ", {"iso"}),
           ("质量 体系", {"iso"}), ("价格 华东", {"price"}), ("法", {"law"}), ("安全 价格", set()),
           ("不存在的词", set()), ("", {"law", "iso", "price"})]


@pytest.mark.parametrize("vendor", ["native", "sqlite"])
@pytest.mark.parametrize("q,expected", QUERIES)
def test_search_finds_the_same_rows_on_both_paths(library, officer_market, vendor, q, expected):
    names = {v.pk: k for k, v in library.items()}

    rows = search(entries_visible_to(officer_market), q, vendor=None if vendor == "native" else "sqlite")

    assert {names[e.pk] for e in rows} == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index exists on PostgreSQL only")
def test_postgres_search_ranks_and_can_use_the_gin_index(library, officer_market):
    rows = search(Entry.objects.all(), "安全生产")
    sql, params = rows.query.sql_with_params()

    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")

    assert "library_entry_search_gin" in plan
    assert rows.get().rank > 0


def test_search_never_reaches_what_the_user_may_not_see(client, restricted_entry, outsider):
    client.force_login(outsider)

    page = client.get("/library/", {"q": "机密报价"}).content.decode()

    assert "机密报价" not in page.replace('value="机密报价"', "")


def test_list_queries_do_not_grow_with_rows(client, make_entry, officer_market, market, django_assert_max_num_queries):
    client.force_login(officer_market)
    make_entry(officer_market, market)
    client.get("/library/")  # warm the caches of the menu and roles
    with django_assert_max_num_queries(40) as few:
        client.get("/library/", {"q": "安全"})
    for n in range(25):
        make_entry(officer_market, market, title="安全资料 %d" % n)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/library/", {"q": "安全"})

    assert response.status_code == 200


@pytest.mark.parametrize("vendor", [None, "sqlite"])
def test_titles_holding_the_query_come_first(make_entry, officer_market, market, vendor):
    title = make_entry(officer_market, market, title="消防检查办法", summary="")
    body = make_entry(officer_market, market, title="年度工作要点", summary="其中一节讲消防检查")  # newer

    rows = list(list_rows(search(entries_visible_to(officer_market), "消防检查", vendor=vendor)))

    assert rows == [title, body]
