"""The home cards' numbers (infoflow.home_counts, one plain statement) are
exactly what the list selectors count — my items per tab, the review inbox,
the receiver inbox, with their overdue parts — for every persona, after each
state change that moves one of them (issue 12)."""
import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from guardian.shortcuts import remove_perm

from infoflow import selectors
from infoflow.home_counts import HOME_BUCKETS, home_counts
from infoflow.models import Receiver
from infoflow.services.chain import approve_step, cancel_item, return_step, submit_item, withdraw_item
from infoflow.services.delegation import create_delegation
from infoflow.services.delivery import acknowledge_receipt, answer_receiver, transmit_item
from tests.factories import ExternalContactFactory
from tests.infoflow.conftest import NOW
from tests.infoflow.portal import submitted, transmitted

pytestmark = pytest.mark.django_db

PERSONAS = ("officer_market", "officer_prod", "head_market", "head_prod", "leader", "secretary", "gm", "legal",
            "auditor", "employee", "outsider")


def expected(user):
    """The numbers as the list pages count them."""
    now = timezone.now()
    my = selectors.my_item_counts(user)
    return {
        "my": {bucket: my[bucket] for bucket in HOME_BUCKETS},
        "reviews": selectors.review_inbox(user).order_by().aggregate(
            total=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now))),
        "received": selectors.receiver_inbox(user).order_by().aggregate(
            total=Count("pk"),
            overdue=Count("pk", filter=Q(answer_due_at__lt=now)
                          | Q(state=Receiver.State.SENT, response_due_at__lt=now))),
    }


def assert_same(org, moment=None):
    """Every persona's home numbers equal the selectors' counts (at ``moment``)."""
    with time_machine.travel(moment or timezone.now(), tick=False):
        for name in PERSONAS:
            user = org[name]
            counts = home_counts(user)
            del counts["show_incoming"]
            assert counts == expected(user), name


def test_the_numbers_follow_an_item_through_review_and_delivery(org, make_item):
    item = make_item(direction="external")  # reviewed by the head, then the leader (tests/infoflow/portal.py)
    assert_same(org)
    assert home_counts(org["officer_market"])["my"]["drafts"] == 1

    item = submit_item(item=item, actor=org["officer_market"])
    assert_same(org)
    assert home_counts(org["head_market"])["reviews"]["total"] == 1

    return_step(step=item.steps.get(state="open"), actor=org["head_market"], opinion="请补充")
    assert_same(org)
    assert home_counts(org["officer_market"])["my"]["returned"] == 1

    item = submit_item(item=item, actor=org["officer_market"])
    for reviewer in ("head_market", "leader"):
        approve_step(step=item.steps.get(state="open"), actor=org[reviewer], opinion="同意")
        assert_same(org)
    item.refresh_from_db()
    transmit_item(item=item, actor=org["officer_market"], methods=["email"])
    assert_same(org)
    assert home_counts(org["officer_prod"])["received"]["total"] == 1
    # Past the receipt's limit: overdue while not acknowledged.
    assert_same(org, timezone.now() + dt.timedelta(days=30))

    receiver = item.receivers.get()
    acknowledge_receipt(receiver=receiver, actor=org["officer_prod"])
    assert_same(org)
    assert_same(org, timezone.now() + dt.timedelta(days=30))
    answer_receiver(receiver=receiver, actor=org["officer_prod"], result="已落实")
    assert_same(org)
    assert home_counts(org["officer_prod"])["received"]["total"] == 0


def test_withdrawn_and_cancelled_items_leave_the_numbers(org, make_item):
    item = submitted(make_item, org)
    withdraw_item(item=item, actor=org["officer_market"])
    assert_same(org)
    assert home_counts(org["officer_market"])["my"]["drafts"] == 1  # a withdrawn item sits with the drafts

    sent = transmitted(make_item, org)
    assert home_counts(org["officer_prod"])["received"]["total"] == 1
    cancel_item(item=sent, actor=org["secretary"], reason="重复登记")
    assert_same(org)
    assert home_counts(org["officer_prod"])["received"]["total"] == 0


def test_external_receipts_count_for_the_originating_units_officers(org, make_item):
    contact = ExternalContactFactory()
    item = make_item(direction="external",
                     receivers=[{"kind": "external", "external_unit": contact.external_unit, "contact": contact}])
    item = submit_item(item=item, actor=org["officer_market"])
    for reviewer in ("head_market", "leader"):
        approve_step(step=item.steps.get(state="open"), actor=org[reviewer], opinion="同意")
    item.refresh_from_db()
    transmit_item(item=item, actor=org["officer_market"], methods=["letter"])

    assert_same(org)
    assert home_counts(org["officer_market"])["received"]["total"] == 1
    assert home_counts(org["officer_prod"])["received"]["total"] == 0


def test_a_restricted_item_leaves_the_numbers_with_its_grant(org, make_item):
    item = submitted(make_item, org, confidentiality="restricted")
    assert home_counts(org["head_market"])["reviews"]["total"] == 1
    assert home_counts(org["officer_market"])["my"]["in_review"] == 1

    remove_perm("view_item", org["head_market"], item)
    remove_perm("view_item", org["officer_market"], item)

    assert_same(org)
    assert home_counts(org["head_market"])["reviews"]["total"] == 0
    assert home_counts(org["officer_market"])["my"]["in_review"] == 0


def test_a_deputy_counts_the_principals_reviews_for_the_period(org, make_item):
    with time_machine.travel(NOW, tick=False):
        create_delegation(actor=org["head_market"], principal=org["head_market"], deputy=org["outsider"],
                          start=NOW + dt.timedelta(hours=1), end=NOW + dt.timedelta(days=1), reason="出差")
        submitted(make_item, org)
    assert_same(org, NOW)
    assert_same(org, NOW + dt.timedelta(hours=2))
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        assert home_counts(org["outsider"])["reviews"]["total"] == 1
    with time_machine.travel(NOW, tick=False):
        assert home_counts(org["outsider"])["reviews"]["total"] == 0


def test_two_queries_whatever_the_rows(org, make_item):
    for _ in range(3):
        transmitted(make_item, org)
    home_counts(org["officer_prod"])  # the user's roles and the grant's permission id, read once
    with CaptureQueriesContext(connection) as queries:
        home_counts(org["officer_prod"])
    assert len(queries) == 2  # the delegations in force, then the counts


def test_the_home_page_reads_the_delegations_in_force_once(client, org, make_item):
    transmitted(make_item, org)
    client.force_login(org["officer_prod"])
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    assert len([q for q in queries.captured_queries if "infoflow_delegation" in q["sql"]]) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_the_review_count_reads_only_indexes(org, make_item):
    """The leader's review count reads each pending assignment and the view
    grant from indexes alone (migration infoflow 0026's ``assignee_pending``,
    the grant probe selecting a constant): at 100,000 items a leader has
    1,011 pending reviews, and visiting each one's rows was most of the home
    page's statement (issue 12). Sequential and bitmap scans are turned off
    so the small test tables show which indexes the statement can use (the
    step's ``reviewstep_open_id`` is the planner's pick at scale only)."""
    from infoflow.home_counts import SqlParams, _reviews

    item = submitted(make_item, org)
    approve_step(step=item.steps.get(state="open"), actor=org["head_market"], opinion="同意")
    leader = org["leader"]
    assert home_counts(leader)["reviews"]["total"] == 1
    sql = SqlParams()
    select = _reviews(sql, leader, [leader.pk], timezone.now())
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + select, sql.params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using assignee_pending" in plan, plan
    assert "Index Only Scan using infoflow_it_user_id" in plan, plan


def test_a_choice_is_written_as_a_literal_and_anything_else_as_a_parameter():
    """SqlParams writes a TextChoices member as its quoted value (a word fixed
    in the code), so the driver has fewer parameters to merge (issue 12); a
    plain string, a number or a moment stays a parameter."""
    from infoflow.home_counts import SqlParams
    from infoflow.models import Item

    sql = SqlParams()
    assert sql.value(Item.State.DRAFT) == "'draft'"
    assert sql.values([Item.State.DRAFT, Item.State.IN_REVIEW]) == "('draft', 'in_review')"
    assert sql.params == {}
    assert sql.value("draft") == "%(p0)s" and sql.value(7) == "%(p1)s"
    assert sql.params == {"p0": "draft", "p1": 7}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_the_review_count_does_not_visit_each_steps_item(org, make_item):
    """The reviewer's own items are left out by an anti-join on the items
    they started, not by reading each pending step's item row (issue 12:
    a third of the leader's 8,100 buffer visits at 100,000 items)."""
    from infoflow.home_counts import SqlParams, _reviews

    item = submitted(make_item, org)
    approve_step(step=item.steps.get(state="open"), actor=org["head_market"], opinion="同意")
    leader = org["leader"]
    sql = SqlParams()
    select = _reviews(sql, leader, [leader.pk], timezone.now())
    assert "JOIN infoflow_item" not in select
    with connection.cursor() as cursor:
        cursor.execute(select, sql.params)
        assert cursor.fetchone()[0] == 1
        cursor.execute("EXPLAIN " + select, sql.params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Anti Join" in plan, plan
