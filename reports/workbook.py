"""A report's snapshot as an Excel workbook (openpyxl write-only): a
summary sheet, then one sheet per section (its figures, then its tables),
each with the watermark header/footer naming organisation, reader and time
(liaison.sheetmark, issue 18 §4). Text is written as text, never as a formula."""
from __future__ import annotations

import io
import re

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from liaison.sheetmark import mark_openpyxl_sheet

_BAD_TITLE = re.compile(r"[\[\]\*\?/\\:]")


def _cell(ws, value, bold=False):
    cell = WriteOnlyCell(ws, value="" if value is None else value)
    if isinstance(value, str):
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _row(ws, values, bold=False):
    ws.append([_cell(ws, v, bold) for v in values])


def _sheet(book, title, used, user, now):
    name = _BAD_TITLE.sub("", title)[:28] or "Sheet"
    base, n = name, 2
    while name in used:
        name, n = "%s%d" % (base[:26], n), n + 1
    used.add(name)
    sheet = book.create_sheet(name)
    mark_openpyxl_sheet(sheet, user, now)
    return sheet


def report_workbook(data: dict, *, user=None, now=None) -> bytes:
    """The .xlsx bytes of a report snapshot (reports.services.build_data)."""
    book = Workbook(write_only=True)
    used: set = set()
    ws = _sheet(book, _("概况"), used, user, now)
    _row(ws, [data.get("title", "")], bold=True)
    _row(ws, [_("期间"), "%s — %s" % (data.get("first_day", ""), data.get("last_day", ""))])
    for section in data.get("sections", []):
        _row(ws, [])
        _row(ws, [section["title"]], bold=True)
        for label, value in section.get("figures", []):
            _row(ws, [label, value])
    for section in data.get("sections", []):
        ws = _sheet(book, section["title"], used, user, now)
        _row(ws, [section["title"]], bold=True)
        for label, value in section.get("figures", []):
            _row(ws, [label, value])
        for tab in section.get("tables", []):
            _row(ws, [])
            _row(ws, [tab["title"]], bold=True)
            _row(ws, tab["columns"], bold=True)
            for line in tab["rows"]:
                _row(ws, line)
        if section.get("note"):
            _row(ws, [])
            _row(ws, [section["note"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
