"""What the on-time page says (issue 10, 6.5): the deadline that is overdue
and what it is for, totals as on time/total, the period in the filter."""
import re

import pytest
import time_machine
from django.urls import reverse

from infoflow.ontime import ontime_report
from tests.infoflow.conftest import NOW
from tests.infoflow.test_ontime import MARCH, at, make_item, receiver, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def late_receipt(org):
    """Sent 2 March, to be signed by 5 March 17:00 and answered by 6 December: only the receipt is late."""
    item = make_item(org, "market", 1)
    return receiver(item, org["prod"], due=at(12, 6, 17), response_due_at=at(3, 5, 17))


def test_an_overdue_receipt_shows_the_receipt_deadline_not_the_future_answer_deadline(org, late_receipt, client):
    client.force_login(org["secretary"])

    with time_machine.travel(NOW, tick=False):
        report = ontime_report(org["secretary"], *MARCH)
        text = client.get(reverse("infoflow:ontime")).content.decode()

    assert [(d.what, d.due_at) for d in report.overdue_receivers[0].overdue] == [("签收", at(3, 5, 17))]
    assert "签收时限 2026-03-05 17:00" in text
    assert "2026-12-06" not in text


def test_a_receipt_and_answer_both_late_show_both(org, client):
    item = make_item(org, "market", 2)
    receiver(item, org["prod"], due=at(3, 8, 17), response_due_at=at(3, 3, 17))
    client.force_login(org["secretary"])

    with time_machine.travel(NOW, tick=False):
        text = client.get(reverse("infoflow:ontime")).content.decode()

    assert "签收时限 2026-03-03 17:00" in text and "反馈时限 2026-03-08 17:00" in text


def test_an_overdue_review_says_it_is_a_review_deadline(org, client):
    step(make_item(org, "market", 3), 0, due=at(3, 9, 12))
    client.force_login(org["secretary"])

    with time_machine.travel(NOW, tick=False):
        text = client.get(reverse("infoflow:ontime")).content.decode()

    assert "审核时限 2026-03-09 12:00" in text


def test_totals_read_on_time_over_total(org, client):
    item = make_item(org, "market", 4)
    step(item, 0, due=at(3, 5, 12), closed=at(3, 5, 10))
    step(item, 1, due=at(3, 6, 12), closed=at(3, 7, 10))
    step(item, 2, due=at(3, 7, 12), closed=at(3, 7, 11))
    receiver(item, org["prod"], due=at(3, 5), answered=at(3, 4))
    client.force_login(org["secretary"])

    with time_machine.travel(NOW, tick=False):
        text = client.get(reverse("infoflow:ontime"), {"start": "2026-03-01", "end": "2026-03-31"}).content.decode()

    footer = re.search(r"<tfoot>(.*?)</tfoot>", text, re.S).group(1)
    assert re.findall(r"<th>([^<]*)</th>", footer) == ["合计", "2/3", "66.7%", "1/1", "100.0%"]


def test_the_default_period_shows_its_dates_in_the_filter(org, client):
    client.force_login(org["secretary"])

    with time_machine.travel(NOW, tick=False):
        text = client.get(reverse("infoflow:ontime")).content.decode()

    assert 'name="start" value="2026-03-01"' in text
    assert 'name="end" value="2026-03-10"' in text


def test_a_chosen_period_stays_in_the_filter_in_english_too(org, client):
    client.force_login(org["secretary"])

    with time_machine.travel(NOW, tick=False):
        text = client.get(reverse("infoflow:ontime"), {"start": "2026-02-01", "end": ""},
                          HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'name="start" value="2026-02-01"' in text
    assert 'name="end" value="2026-03-10"' in text


def test_a_cancelled_item_owes_its_receivers_nothing(org, client):
    from infoflow.models import Item

    item = make_item(org, "market", 5, state=Item.State.CANCELLED)
    receiver(item, org["prod"], due=at(3, 8, 17), response_due_at=at(3, 3, 17))
    client.force_login(org["secretary"])

    with time_machine.travel(NOW, tick=False):
        report = ontime_report(org["secretary"], *MARCH)

    assert report.overdue_receivers == []
