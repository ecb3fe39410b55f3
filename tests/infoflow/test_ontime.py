"""The on-time page: rates per department for a small fixed dataset, the
overdue lists, who may open it, and a fixed number of queries."""
import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from infoflow.models import Item, Receiver, ReviewStep
from infoflow.ontime import ontime_report
from infoflow.selectors import _view_permission_id
from infoflow.services.ontime_days import rebuild_ontime_days
from officers.roles import roles_of
from tests.infoflow.conftest import NOW

pytestmark = pytest.mark.django_db

TZ = NOW.tzinfo
MARCH = (dt.datetime(2026, 3, 1, tzinfo=TZ), dt.datetime(2026, 4, 1, tzinfo=TZ))


def at(month, day, hour=10):
    return dt.datetime(2026, month, day, hour, tzinfo=TZ)


def make_item(org, unit, n, **fields):
    values = dict(unit=org[unit], initiator=org["officer_market"], subject="主题%d" % n, summary="摘要",
                  number="NX-2026-%03d" % n, state=Item.State.TRANSMITTED, submitted_at=at(3, 1))
    values.update(fields)
    return Item.objects.create(**values)


# The rows below are written directly, not through the services that keep the
# on-time day totals (OnTimeDay) in their transactions: a closed step or an
# answer rebuilds the totals as migration 0012 does (tests/infoflow/
# test_ontime_days.py checks the services keep them).
def step(item, index, due, closed=None, state=None):
    row = ReviewStep.objects.create(
        item=item, review_round=1, stage_index=index, name="部门负责人审核", decider="unit_head",
        state=state or (ReviewStep.State.APPROVED if closed else ReviewStep.State.OPEN),
        started_at=due - dt.timedelta(hours=5), due_at=due, closed_at=closed,
    )
    if closed:
        rebuild_ontime_days()
    return row


def receiver(item, unit, due, answered=None, kind=Receiver.Kind.UNIT, **extra):
    row = Receiver.objects.create(
        item=item, kind=kind, unit=unit, answer_due_at=due, answered_at=answered, sent_at=at(3, 2),
        state=Receiver.State.ANSWERED if answered else Receiver.State.SENT, **extra,
    )
    if answered:
        rebuild_ontime_days()
    return row


@pytest.fixture
def dataset(org):
    market_item = make_item(org, "market", 1)
    other = make_item(org, "market", 2)
    prod_item = make_item(org, "prod", 3)
    step(market_item, 0, due=at(3, 5, 12), closed=at(3, 5, 10))          # on time
    step(market_item, 1, due=at(3, 5, 12), closed=at(3, 6, 10))          # late
    step(market_item, 2, due=at(3, 9, 12))                               # open, overdue: late
    step(other, 0, due=at(2, 20, 12), closed=at(2, 20, 11))              # February: outside
    step(other, 1, due=at(3, 12, 12))                                    # open, not yet due: outside
    step(prod_item, 0, due=at(3, 5, 12), closed=at(3, 5, 12))            # exactly at the due time: on time
    step(prod_item, 1, due=at(3, 6, 12), closed=at(3, 6, 12), state=ReviewStep.State.RETURNED)  # on time
    receiver(market_item, org["prod"], due=at(3, 5), answered=at(3, 4))  # on time
    receiver(other, org["prod"], due=at(3, 5), answered=at(3, 6))        # late
    receiver(prod_item, org["finance"], due=at(3, 8))                    # missing, overdue
    receiver(market_item, org["finance"], due=at(3, 20))                 # not yet due: outside
    from tests.factories import ExternalUnitFactory

    receiver(other, None, due=at(3, 5), answered=at(3, 4), kind=Receiver.Kind.EXTERNAL,
             external_unit=ExternalUnitFactory())                        # external: not a department
    return {"market_item": market_item, "other": other, "prod_item": prod_item}


def rates(report):
    return {u.name: (u.review_on_time, u.review_total, u.review_rate, u.feedback_on_time, u.feedback_total,
                     u.feedback_rate) for u in report.units}


def test_rates_per_department(org, dataset):
    with time_machine.travel(NOW, tick=False):
        report = ontime_report(org["secretary"], *MARCH)

    assert rates(report) == {
        "市场部": (1, 3, 33.3, 0, 0, None),
        "生产部": (2, 2, 100.0, 1, 2, 50.0),
        "财务部": (0, 0, None, 0, 1, 0.0),
    }
    assert report.review_rate == 60.0 and report.feedback_rate == 33.3


def test_overdue_now_lists_open_steps_and_missing_answers(org, dataset):
    with time_machine.travel(NOW, tick=False):
        report = ontime_report(org["secretary"], *MARCH)

    assert [(s.item.number, s.stage_index) for s in report.overdue_steps] == [("NX-2026-001", 2)]
    assert [(r.item.number, r.unit.name) for r in report.overdue_receivers] == [("NX-2026-003", "财务部")]


def test_a_supervising_leader_sees_the_departments_supervised(org, dataset):
    with time_machine.travel(NOW, tick=False):
        report = ontime_report(org["leader"], *MARCH)

    assert set(rates(report)) == {"市场部", "生产部"}


def test_report_runs_six_queries(org, dataset, django_assert_num_queries):
    """The principals the reader stands in for (the grant probe's ids); both rates with the overdue
    steps' count; the steps' ids and rows; the receivers' ids with their count, and rows (issue 12: the
    steps' COUNT rode on the review rates' query, then the feedback rates did too)."""
    roles_of(org["secretary"])  # cached on the user for the request
    _view_permission_id()  # read once per process
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(6):
        report = ontime_report(org["secretary"], *MARCH)
        report.overdue_receivers[0].label  # the joins the page needs are taken


@pytest.mark.parametrize("persona", ["secretary", "auditor", "gm", "leader"])
def test_the_page_and_the_export_read_the_same_rates(org, dataset, persona):
    """The page reads both rates and the overdue steps' count in one statement
    (review_rates_with_overdue with feedback); the export reads each rate on its own."""
    with time_machine.travel(NOW, tick=False):
        page = ontime_report(org[persona], *MARCH)
        export = ontime_report(org[persona], *MARCH, overdue=False)

    assert rates(page) == rates(export) and rates(page)
    assert (page.review_rate, page.feedback_rate) == (export.review_rate, export.feedback_rate)


@pytest.mark.parametrize("persona", ["secretary", "auditor", "gm", "leader"])
def test_secretariat_supervision_and_leaders_open_the_page(org, dataset, client, persona):
    client.force_login(org[persona])

    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("infoflow:ontime"), {"start": "2026-03-01", "end": "2026-03-31"})

    assert response.status_code == 200
    text = response.content.decode()
    assert "33.3%" in text
    # The overdue list names only items the reader may open: the secretariat
    # and supervision see every unrestricted item; the leader and the general
    # manager are on no path of these items (their link would answer 404).
    assert ("NX-2026-003" in text) is (persona in ("secretary", "auditor"))


def test_a_leader_on_the_items_path_sees_it_in_the_overdue_list(org, dataset, client):
    from infoflow.permissions import VIEW, grant

    grant(org["leader"], VIEW, dataset["prod_item"])
    client.force_login(org["leader"])

    with time_machine.travel(NOW, tick=False):
        text = client.get(reverse("infoflow:ontime"), {"start": "2026-03-01", "end": "2026-03-31"}).content.decode()

    assert "NX-2026-003" in text and "NX-2026-001" not in text


@pytest.mark.parametrize("persona", ["head_market", "officer_market", "employee", "outsider", "legal"])
def test_others_get_403(org, client, persona):
    client.force_login(org[persona])

    assert client.get(reverse("infoflow:ontime")).status_code == 403


def test_a_restricted_item_off_the_readers_path_is_not_listed(org, dataset, client):
    make_item(org, "market", 9, subject="机密收购计划", confidentiality="restricted")
    step(Item.objects.get(number="NX-2026-009"), 0, due=at(3, 9, 12))
    client.force_login(org["secretary"])

    with time_machine.travel(NOW, tick=False):
        text = client.get(reverse("infoflow:ontime")).content.decode()

    assert "NX-2026-001" in text
    assert "NX-2026-009" not in text and "机密收购计划" not in text


def test_page_query_count_does_not_grow_with_rows(org, dataset, client):
    client.force_login(org["secretary"])
    url = reverse("infoflow:ontime")
    with time_machine.travel(NOW, tick=False):
        client.get(url)  # first request of the session fills the calendar and saves the session
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        for n in range(10, 40):
            item = make_item(org, "prod" if n % 2 else "market", n)
            step(item, 0, due=at(3, 9, 12))
            receiver(item, org["finance"], due=at(3, 8))
        with CaptureQueriesContext(connection) as many:
            response = client.get(url)

    # A page of 20 rows a list, whatever their number.
    assert len(re.findall(r">NX-2026-\d+</a>", response.content.decode())) == 40
    assert len(many) == len(few)


def overdue_sections(text):
    """The overdue reviews' and receivers' sections: (count badge, item numbers listed, page links)."""
    out = []
    for section in text.split("<section>")[2:]:
        badge = int(re.search(r'<h2>[^<]*<span class="badge">(\d+)</span></h2>', section).group(1))
        out.append((badge, re.findall(r">(NX-2026-\d+)</a>", section), re.findall(r'href="\?([^"]*)"', section)))
    return out


def test_each_overdue_list_pages_on_its_own_and_counts_every_row(org, dataset, client):
    for n in range(10, 35):
        item = make_item(org, "market", n)
        step(item, 0, due=at(3, 9, 13))
        receiver(item, org["finance"], due=at(3, 9))
    client.force_login(org["secretary"])
    url = reverse("infoflow:ontime")

    with time_machine.travel(NOW, tick=False):
        first = overdue_sections(client.get(url, {"start": "2026-03-01", "end": "2026-03-31"}).content.decode())
        second = overdue_sections(client.get(url, {"start": "2026-03-01", "end": "2026-03-31", "steps_page": "2",
                                                   "receivers_page": "2"}).content.decode())
        beyond = overdue_sections(client.get(url, {"steps_page": "99", "receivers_page": "x"}).content.decode())

    (steps_total, steps_1, steps_links), (receivers_total, receivers_1, receivers_links) = first
    assert steps_total == 26 and receivers_total == 26  # the dataset's one each and 25 more: every row counted
    # The earliest deadline first; the next page keeps the period and the other list's page.
    assert steps_1[0] == "NX-2026-001" and len(steps_1) == 20
    assert receivers_1[0] == "NX-2026-003" and len(receivers_1) == 20
    assert steps_links == ["start=2026-03-01&amp;end=2026-03-31&amp;steps_page=2"]
    assert receivers_links == ["start=2026-03-01&amp;end=2026-03-31&amp;receivers_page=2"]
    (_, steps_2, _), (_, receivers_2, _) = second
    assert len(steps_2) == 6 and len(receivers_2) == 6
    assert set(steps_1).isdisjoint(steps_2) and len(set(steps_1 + steps_2)) == 26
    assert set(receivers_1).isdisjoint(receivers_2) and len(set(receivers_1 + receivers_2)) == 26
    # A page past the end shows the last; a bad number the first.
    assert beyond[0][1] == steps_2 and beyond[1][1] == receivers_1


def test_overdue_receivers_read_by_the_deadline_missed_first_across_pages(org):
    """A late receipt sorts by its receipt deadline, though its answer is due later than others' answers."""
    early_receipt = receiver(make_item(org, "market", 1), org["prod"], due=at(12, 6, 17), response_due_at=at(3, 2, 17))
    late_answer = receiver(make_item(org, "market", 2), org["prod"], due=at(3, 4, 17))
    with time_machine.travel(NOW, tick=False):
        report = ontime_report(org["secretary"], *MARCH)

    assert [r.pk for r in report.overdue_receivers] == [early_receipt.pk, late_answer.pk]
    assert report.receivers_page.paginator.count == 2


def test_bad_period_keeps_the_page(org, client):
    client.force_login(org["secretary"])

    response = client.get(reverse("infoflow:ontime"), {"start": "2026-03-31", "end": "2026-03-01"})

    assert response.status_code == 200
    assert "结束日期不能早于开始日期。" in response.content.decode()


def test_summary_downloads_in_excel_with_the_page_figures(org, dataset, client):
    import io

    import openpyxl

    from liaison.models import AuditEntry

    org["market"].name = "=HYPERLINK(\"x\")市场部"
    org["market"].save()
    client.force_login(org["secretary"])

    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("infoflow:ontime-export"), {"start": "2026-03-01", "end": "2026-03-31"})

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("部门", "审核环节数", "按时审核数", "审核按时率(%)", "反馈数", "按时反馈数", "反馈按时率(%)")
    by_name = {row[0]: row[1:] for row in rows[1:]}
    assert by_name["生产部"] == (2, 2, 100.0, 2, 1, 50.0)
    assert by_name["合计"][0] == 5 and by_name["合计"][2] == 60.0
    formula_cell = sheet.cell(row=[r[0] for r in rows].index('=HYPERLINK("x")市场部') + 1, column=1)
    assert formula_cell.data_type == "s"
    assert AuditEntry.objects.filter(action="export", user=org["secretary"]).exists()


def test_summary_download_is_refused_to_others(org, client):
    client.force_login(org["head_market"])

    assert client.get(reverse("infoflow:ontime-export")).status_code == 403


def test_the_overdue_steps_count_is_the_whole_list_and_the_rates_the_period_only(org, dataset):
    """The overdue steps' length (one ungrouped COUNT of every step past due
    that the reader may open) and the rates' late steps (those due in the
    period, every department's, whoever reads) are counted apart: a step past
    due before the period is listed and counted, not rated; a restricted
    item's step is rated, not listed nor counted for a reader who may not open it."""
    from infoflow.models import Confidentiality

    before = make_item(org, "market", 4)
    step(before, 0, due=at(2, 10, 12))                                    # open, past due in February
    secret = make_item(org, "prod", 5, confidentiality=Confidentiality.RESTRICTED)
    step(secret, 0, due=at(3, 7, 12))                                     # open, late in March, restricted
    with time_machine.travel(NOW, tick=False):
        report = ontime_report(org["secretary"], *MARCH)

    assert rates(report)["市场部"][:2] == (1, 3)  # February's step not rated
    assert rates(report)["生产部"][:2] == (2, 3)  # the restricted item's late step rated
    listed = [(s.item.number, s.stage_index) for s in report.overdue_steps]
    assert listed == [("NX-2026-004", 0), ("NX-2026-001", 2)]
    assert report.steps_page.paginator.count == len(listed) == 2
