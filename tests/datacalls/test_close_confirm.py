"""结束本期 asks first, and a person cannot close a period before its due
time while units are still out (they would be marked missed, and count
towards the two-miss replacement rule, before their deadline)."""
import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from datacalls import services
from datacalls.models import Answer
from liaison.errors import DataCallStateConflict

from .conftest import TZ

pytestmark = pytest.mark.django_db

BEFORE_DUE = dt.datetime(2026, 3, 19, 10, 0, tzinfo=TZ)  # due 2026-03-20 17:30
AFTER_DUE = dt.datetime(2026, 3, 23, 10, 0, tzinfo=TZ)


def test_closing_asks_first_and_says_what_happens(client, occurrence, secretary):
    client.force_login(secretary)
    url = reverse("datacalls:close", args=[occurrence.pk])

    with time_machine.travel(AFTER_DUE, tick=False):
        page = client.get(url)

    text = page.content.decode()
    assert page.status_code == 200 and 'method="post"' in text and "确认结束" in text
    assert "2 个单位将记为缺报" in text
    assert occurrence.__class__.objects.get(pk=occurrence.pk).closed_at is None  # GET changes nothing
    matrix = client.get(reverse("datacalls:occurrence", args=[occurrence.pk])).content.decode()
    assert 'href="%s"' % url in matrix


def test_closing_after_the_due_time_marks_units_still_out_missed(client, occurrence, secretary):
    client.force_login(secretary)
    with time_machine.travel(AFTER_DUE, tick=False):
        response = client.post(reverse("datacalls:close", args=[occurrence.pk]))

    assert response.status_code == 302
    assert set(occurrence.answers.values_list("state", flat=True)) == {Answer.State.MISSED}


def test_closing_before_the_due_time_with_units_out_is_refused(client, occurrence, secretary):
    client.force_login(secretary)
    with time_machine.travel(BEFORE_DUE, tick=False):
        response = client.post(reverse("datacalls:close", args=[occurrence.pk]), follow=True)
        with pytest.raises(DataCallStateConflict):
            services.close_occurrence(occurrence=occurrence, actor=secretary)

    assert "截止时间未到，还有 2 个单位未报送，不能结束本期。" in response.content.decode()
    occurrence.refresh_from_db()
    assert occurrence.closed_at is None
    assert set(occurrence.answers.values_list("state", flat=True)) == {Answer.State.PENDING}


def test_closing_before_the_due_time_when_every_unit_answered_is_allowed(occurrence, secretary):
    for answer in occurrence.answers.select_related("unit"):
        officer = answer.unit.officers.get().user
        with time_machine.travel(BEFORE_DUE, tick=False):
            services.submit_answer(answer=answer, actor=officer, raw={"opinion": "无"})
    with time_machine.travel(BEFORE_DUE, tick=False):
        services.close_occurrence(occurrence=occurrence, actor=secretary)

    occurrence.refresh_from_db()
    assert occurrence.closed_at is not None


def test_the_sweep_closes_on_its_own_schedule(occurrence):
    with time_machine.travel(BEFORE_DUE, tick=False):
        services.close_occurrence(occurrence=occurrence, now=BEFORE_DUE)  # actor None: the sweep's own rule

    occurrence.refresh_from_db()
    assert occurrence.closed_at is not None


def test_an_officer_gets_no_close_page(client, occurrence, officer_market):
    client.force_login(officer_market)
    assert client.get(reverse("datacalls:close", args=[occurrence.pk])).status_code == 404
    assert client.post(reverse("datacalls:close", args=[occurrence.pk])).status_code == 404
    occurrence.refresh_from_db()
    assert occurrence.closed_at is None


def test_reminding_with_no_unit_ticked_reminds_nobody_and_says_so(client, occurrence, secretary):
    from liaison.models import Notification

    client.force_login(secretary)
    before = Notification.objects.count()
    response = client.post(reverse("datacalls:remind", args=[occurrence.pk]), follow=True)

    assert "请先勾选要提醒的单位" in response.content.decode()
    assert Notification.objects.count() == before


def test_the_answer_page_shows_its_record_of_handling_with_the_return_reason(client, market_answer, officer_market,
                                                                             secretary):
    services.submit_answer(answer=market_answer, actor=officer_market, raw={"opinion": "x"})
    services.return_answer(answer=market_answer, actor=secretary, reason="请补充金额")
    services.submit_answer(answer=market_answer, actor=officer_market, raw={"opinion": "补充后"})
    client.force_login(officer_market)

    page = client.get(reverse("datacalls:answer", args=[market_answer.pk])).content.decode()

    trail = page.split("办理记录", 1)[1]
    assert "秘书处退回：请补充金额" in trail
    assert trail.count("报送") >= 2 and "下发" in trail
