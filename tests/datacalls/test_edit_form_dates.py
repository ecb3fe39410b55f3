"""The call's edit form shows its dates in the form <input type=date> reads
(trial at 390 px, 2026-11-30: value="2026/03/20" showed empty, so saving an
edited once-call failed and a schedule's start and end were wiped)."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from datacalls.forms import CallForm
from datacalls.models import Call

pytestmark = pytest.mark.django_db


def test_the_edit_form_keeps_the_dates(call):
    Call.objects.filter(pk=call.pk).update(starts_on=dt.date(2026, 1, 5), ends_on=dt.date(2026, 12, 31))
    call.refresh_from_db()
    with translation.override("zh-hans"):
        html = str(CallForm(instance=call))
    assert 'value="2026-03-20"' in html
    assert 'value="2026-01-05"' in html and 'value="2026-12-31"' in html


def test_the_edit_page_shows_the_due_day(client, call, secretary):
    client.force_login(secretary)
    page = client.get(reverse("datacalls:series-edit", args=[call.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert 'name="due_on" value="2026-03-20"' in page.content.decode()
