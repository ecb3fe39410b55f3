"""A table field's row count comes from a hidden input: a tampered one reads
no rows instead of raising (trial at 390 px, 2026-11-30: "abc" was a 500)."""
from django.http import QueryDict

from datacalls.forms import raw_from_post

TABLE = [{"key": "rows", "label": "明细", "type": "table", "required": False, "unit": "", "choices": [],
          "columns": [{"key": "name", "label": "客户", "type": "text", "required": False, "unit": "",
                       "choices": [], "columns": []}]}]


def test_a_tampered_row_count_reads_no_rows():
    for count in ("abc", "-5", "１"):
        post = QueryDict("rows__rows=%s&rows__0__name=甲" % count)
        assert raw_from_post(TABLE, post)["rows"] in ([], [{"name": "甲"}])


def test_a_good_row_count_reads_its_rows():
    post = QueryDict("rows__rows=2&rows__0__name=甲&rows__1__name=乙")
    assert raw_from_post(TABLE, post)["rows"] == [{"name": "甲"}, {"name": "乙"}]
