"""Each list page runs the same number of SQL queries whatever its row count
(issue 4, item 8): a page with one row and a page with many cost the same."""
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from infoflow.services.incoming import register_incoming
from tests.infoflow.portal import submitted, transmitted

pytestmark = pytest.mark.django_db

MANY = 23  # more than a page (20), so the paginator is exercised too


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def same_cost(client, url, add_rows, expected_text):
    """Render ``url`` with few rows, add many, render again: same query count.
    A first request warms the per-process caches (content types, session).
    The clock stands still meanwhile: the session's last-seen time is written
    once a minute (liaison.middleware), and adding the rows may take that long
    on a busy machine."""
    with time_machine.travel(timezone.now(), tick=False):
        client.get(url)
        few, response = count_queries(client, url)
        add_rows()
        many, response = count_queries(client, url)
    assert expected_text in response.content.decode()
    assert many == few, f"{url}: {few} queries with few rows, {many} with many"
    return few


@pytest.mark.parametrize("tab", ["drafts", "in_review", "waiting"])
def test_my_items_costs_the_same_with_many_rows(client, org, make_item, tab):
    make_one = {
        "drafts": lambda: make_item(),
        "in_review": lambda: submitted(make_item, org),
        "waiting": lambda: transmitted(make_item, org),
    }[tab]
    make_one()
    client.force_login(org["officer_market"])

    same_cost(client, f"{reverse('infoflow:my-items')}?tab={tab}", lambda: [make_one() for _ in range(MANY)],
              "关于二季度客户回访安排的通知")


def test_my_items_with_filters_costs_the_same(client, org, make_item):
    submitted(make_item, org)
    client.force_login(org["officer_market"])
    url = f"{reverse('infoflow:my-items')}?tab=in_review&q=客户&urgency=normal&direction=external"

    same_cost(client, url, lambda: [submitted(make_item, org) for _ in range(MANY)], "NX-")


def test_review_inbox_costs_the_same_with_many_rows(client, org, make_item):
    submitted(make_item, org)
    client.force_login(org["head_market"])

    same_cost(client, reverse("infoflow:review-inbox"), lambda: [submitted(make_item, org) for _ in range(MANY)],
              "部门负责人")


def test_receiver_inbox_costs_the_same_with_many_rows(client, org, make_item):
    transmitted(make_item, org)
    client.force_login(org["officer_prod"])

    same_cost(client, reverse("infoflow:receiver-inbox"),
              lambda: [transmitted(make_item, org) for _ in range(8)], "待签收")


def test_incoming_register_costs_the_same_with_many_rows(client, org):
    from django.utils import timezone

    def register():
        return register_incoming(
            actor=org["secretary"], fields={"subject": "关于开展安全生产大检查的通知", "summary": "请各部门自查。",
                                            "needs_answer": False, "unit": org["finance"]},
            source_name="市应急管理局", source_reference="应急〔2026〕12号", received_at=timezone.now(),
            unit_ids=[org["market"].pk, org["prod"].pk],
        )

    register()
    client.force_login(org["secretary"])

    same_cost(client, reverse("infoflow:incoming-register"), lambda: [register() for _ in range(MANY)], "市应急管理局")


def test_home_cards_cost_the_same_with_many_rows(client, org, make_item):
    submitted(make_item, org)
    client.force_login(org["head_market"])

    same_cost(client, reverse("home"), lambda: [submitted(make_item, org) for _ in range(MANY)], "待我审核")


# The item page of a transmitted item, as the officer who drafted it sees it
# (issue 12: 51 queries at 100,000 items before the panels shared their reads).
ITEM_PAGE_QUERIES = 22


def test_item_page_costs_the_same_with_a_longer_story(client, org, make_item):
    """The story's length costs nothing; a kind of row the item has none of
    (progress notes here) spares its query and its history's."""
    from infoflow.services.delivery import post_progress

    item = transmitted(make_item, org)
    client.force_login(org["officer_market"])
    url = reverse("infoflow:item-detail", args=[item.pk])

    client.get(url)
    none, _ = count_queries(client, url)
    post_progress(item=item, actor=org["officer_market"], text="进展 起")
    few, _ = count_queries(client, url)
    for n in range(10):
        post_progress(item=item, actor=org["officer_market"], text=f"进展 {n}")
    many, response = count_queries(client, url)

    assert "进展 9" in response.content.decode()
    assert many == few == none + 2
    assert many <= ITEM_PAGE_QUERIES


def test_my_items_pages_by_the_tab_count_and_by_a_count_when_filtered(client, org, make_item):
    for n in range(MANY):
        make_item(subject=f"甲方走访 {n}" if n < 3 else f"交货安排 {n}")
    client.force_login(org["officer_market"])
    url = reverse("infoflow:my-items")

    unfiltered = client.get(f"{url}?tab=drafts&page=2").content.decode()
    filtered = client.get(f"{url}?tab=drafts&q=甲方走访").content.decode()

    # Newest first: the second page holds the three oldest, the "甲方走访" ones.
    assert "第 2 / 2 页" in unfiltered and unfiltered.count("甲方走访 ") == 3
    assert "第 1 / " not in filtered and filtered.count("甲方走访 ") == 3


def test_my_items_page_runs_no_separate_count_without_filters(client, org, make_item):
    make_item()
    client.force_login(org["officer_market"])
    url = f"{reverse('infoflow:my-items')}?tab=drafts"
    client.get(url)

    with CaptureQueriesContext(connection) as queries:
        client.get(url)

    paginator_counts = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "infoflow_item"')
    ]
    assert paginator_counts == []


def test_inbox_and_my_items_drop_a_restricted_item_once_its_grant_is_gone(org, make_item):
    from guardian.shortcuts import remove_perm

    from infoflow import selectors
    from infoflow.visibility import items_visible_to

    item = submitted(make_item, org, confidentiality="restricted")
    head, officer = org["head_market"], org["officer_market"]
    assert [s.item_id for s in selectors.review_inbox(head)] == [item.pk]
    assert [i.pk for i in selectors.my_items(officer, "in_review")] == [item.pk]

    # A restricted item is seen only through its grants (visibility rule 1):
    # without them it leaves the lists as it leaves items_visible_to.
    remove_perm("view_item", head, item)
    remove_perm("view_item", officer, item)

    assert not items_visible_to(head).filter(pk=item.pk).exists()
    assert list(selectors.review_inbox(head)) == []
    assert list(selectors.my_items(officer, "in_review")) == []
    assert selectors.my_item_counts(officer)["in_review"] == 0
