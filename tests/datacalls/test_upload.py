"""Answering with the call's Excel template through the answer page: per-cell
errors in Chinese, nothing kept from a bad file, a good file submitted."""
import datetime as dt
import io
import json

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from datacalls import services
from datacalls.models import Answer
from tests.datacalls.conftest import TZ, make_call

pytestmark = pytest.mark.django_db

SPEC = {"sheet": "季度意见", "cells": [
    {"ref": "B2", "key": "customers", "label": "走访客户数", "type": "number", "required": True},
    {"ref": "B3", "key": "visited_on", "label": "走访日期", "type": "date", "required": True},
], "table": None}


def _xlsx(sheet="季度意见", b2="１２", b3="2026-03-15"):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws["A2"], ws["B2"], ws["A3"], ws["B3"] = "走访客户数", b2, "走访日期", b3
    data = io.BytesIO()
    book.save(data)
    return SimpleUploadedFile("填好的.xlsx", data.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@pytest.fixture
def template_answer(secretary, market, officer_market):
    call = make_call(secretary, [market], fields=[], template_spec=SPEC, template=_xlsx(b2="", b3=""))
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=TZ), tick=False):
        services.send_call(call=call, actor=secretary)
    return call.occurrences.get().answers.get()


def test_good_template_with_full_width_digits_is_submitted(client, template_answer, officer_market):
    client.force_login(officer_market)

    response = client.post(reverse("datacalls:answer", args=[template_answer.pk]),
                           {"action": "upload", "submit": "1", "template_file": _xlsx()})

    assert response.status_code == 302
    template_answer.refresh_from_db()
    assert template_answer.state == Answer.State.SUBMITTED
    assert template_answer.values == {"customers": "12", "visited_on": "2026-03-15"}
    assert template_answer.file.name


@pytest.mark.parametrize("kwargs, message", [
    ({"sheet": "Sheet1"}, "季度意见"),
    ({"b2": "很多"}, "B2"),
    ({"b3": "三月中旬"}, "B3"),
    ({"b2": ""}, "B2"),
])
def test_bad_template_shows_the_cell_in_chinese_and_keeps_nothing(client, template_answer, officer_market, kwargs,
                                                                 message):
    client.force_login(officer_market)

    response = client.post(reverse("datacalls:answer", args=[template_answer.pk]),
                           {"action": "upload", "submit": "1", "template_file": _xlsx(**kwargs)})

    assert response.status_code == 200
    text = response.content.decode()
    assert "上传的模板有误" in text and message in text
    template_answer.refresh_from_db()
    assert template_answer.state == Answer.State.PENDING
    assert not template_answer.file


def test_secretary_defines_a_template_call_through_the_form(client, secretary, market):
    client.force_login(secretary)

    response = client.post(reverse("datacalls:create"), {
        "title": "季度意见（模板）", "recipients": "selected", "schedule": "quarterly", "anchor": "end",
        "offset_days": "-7", "offset_unit": "days", "due_time": "17:30", "close_after_days": "5",
        "visibility": "heads", "two_miss": "series", "units": [market.pk], "template": _xlsx(b2="", b3=""),
        "template_spec_text": json.dumps(SPEC, ensure_ascii=False),
    })
    broken = client.post(reverse("datacalls:create"), {
        "title": "x", "recipients": "selected", "schedule": "quarterly", "anchor": "end", "offset_days": "-7",
        "offset_unit": "days", "due_time": "17:30", "close_after_days": "5", "visibility": "heads",
        "two_miss": "series", "template_spec_text": "{not json",
    })

    assert response.status_code == 302
    call = market.datacalls.get()
    assert call.template_spec == SPEC and call.template.name.endswith(".xlsx")
    assert "不是有效的 JSON" in broken.content.decode()
