"""The call form checks what the secretary typed when it is saved (trial at
390 px, 2026-11-30): the template's cells (a spec with cell "ZZ", a Chinese
key and type "money" was saved and would only fail at an officer's upload)
and the due day's offset (99999999999 days was saved, then 下发 was a 500)."""
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from datacalls.forms import CallForm

pytestmark = pytest.mark.django_db


def _form(spec, **extra):
    data = {"title": "月度经营数据", "recipients": "selected", "schedule": "once", "due_on": "2026-12-15",
            "anchor": "end", "offset_days": "0", "offset_unit": "days", "due_time": "17:30",
            "close_after_days": "5", "visibility": "secretariat", "two_miss": "series",
            "template_spec_text": json.dumps(spec, ensure_ascii=False), **extra}
    files = {"template": SimpleUploadedFile("t.xlsx", b"PK\x03\x04", content_type="application/octet-stream")}
    return CallForm(data, files)


def test_bad_cells_are_refused_in_chinese():
    form = _form({"sheet": "月报", "cells": [{"ref": "ZZ", "key": "销售", "label": "销售额", "type": "money"}]})
    assert not form.is_valid()
    messages = " ".join(form.errors["template_spec_text"])
    assert "单元格位置无效：ZZ" in messages


def test_good_cells_pass_the_spec_check():
    form = _form({"sheet": "月报", "cells": [{"ref": "B3", "key": "sales", "label": "销售额", "type": "number"}]})
    form.is_valid()
    assert "template_spec_text" not in form.errors


GOOD = {"sheet": "月报", "cells": [{"ref": "B3", "key": "sales", "label": "销售额", "type": "number"}]}


@pytest.mark.parametrize("days", ["99999999999", "-9999", "367"])
def test_an_offset_beyond_a_year_is_refused(days):
    form = _form(GOOD, offset_days=days)
    assert not form.is_valid()
    assert form.errors["offset_days"] == ["偏移天数应在 -366 到 366 之间。"]


@pytest.mark.parametrize("days", ["-366", "-7", "366"])
def test_an_offset_within_a_year_passes(days):
    form = _form(GOOD, offset_days=days)
    form.is_valid()
    assert "offset_days" not in form.errors
