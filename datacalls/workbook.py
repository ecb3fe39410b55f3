"""Excel in and out for data calls (issue 13 §2, §4).

- ``read_template``: a filled-in .xlsx template (TemplateSpec) → answer
  values and per-cell errors in Chinese naming the sheet and the cell. The
  file is checked before openpyxl opens it: size, not a zip, an old .xls, a
  password (an encrypted OOXML file is an OLE container, not a zip), a zip
  whose declared uncompressed size is too large (zipfile never inflates an
  entry past its declared size, so the declared sizes bound the work).
- ``write_consolidation``: every answer of a call in one workbook, written in
  ONE pass over the answers with XlsxWriter in constant-memory mode. Each
  worksheet flushes its own rows to its own temporary file, so the sheets may
  be written interleaved as long as each sheet's rows go in order: an
  answer's row goes to the first sheet and its table rows are appended to the
  table's sheet at the same time. Memory holds one row per sheet and the
  summary (per unit), whatever the number of answers.

TemplateSpec: ``{"sheet": str, "cells": [{"ref": "B3", **FieldSpec}],
"table": {"key", "label", "first_row": int, "max_rows": int, "columns":
[{"col": "A", **FieldSpec}]} or None}``. The table area is rows first_row to
first_row + max_rows - 1; the row after it must stay empty in the table's
columns (a filled row there means too many rows).
"""
import datetime
import io
import warnings
import zipfile
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Union

import openpyxl
import xlsxwriter
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

# The log export's text guards and header escaping (issue 7), shared so both
# exports treat user text alike.
from infoflow.export import (
    _CONTROL,
    EXCEL_CELL_LIMIT,
    FORMULA_TRIGGERS,
    _header_text,
    cell_text,
    clean_text,
    user_label,
)

from .summary import Summary, SummaryBuilder
from .values import check_template, coerce, display, template_fields

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
# Rows past a template's table area counted before the reader stops reading.
MAX_EXTRA_ROWS = 10000
EXCEL_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream an encrypted OOXML package keeps inside its OLE container.
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")


@dataclass(frozen=True)
class CellError:
    """A problem in an uploaded template. ``ref`` is "B3" (or "" for the file
    or the whole sheet), ``label`` the field's label; str() is the full
    Chinese message, e.g. "工作表「季度意见」B3（营业收入）：请填写数字"."""

    sheet: str
    ref: str
    message: str
    label: str = ""

    def __str__(self) -> str:
        if not self.sheet:
            return self.message
        if not self.ref:
            return _("工作表「%(sheet)s」：%(message)s") % {"sheet": self.sheet, "message": self.message}
        if self.label:
            return _("工作表「%(sheet)s」%(ref)s（%(label)s）：%(message)s") % {
                "sheet": self.sheet,
                "ref": self.ref,
                "label": self.label,
                "message": self.message,
            }
        return _("工作表「%(sheet)s」%(ref)s：%(message)s") % {
            "sheet": self.sheet,
            "ref": self.ref,
            "message": self.message,
        }


def _binary(file_obj) -> io.IOBase:
    """A seekable binary file for a path, bytes, a Django UploadedFile or any
    file object."""
    if isinstance(file_obj, (bytes, bytearray)):
        return io.BytesIO(file_obj)
    if isinstance(file_obj, str) or hasattr(file_obj, "__fspath__"):
        return open(file_obj, "rb")  # noqa: SIM115 -- closed by read_template
    inner = getattr(file_obj, "file", None)  # Django's UploadedFile wraps a file
    stream = file_obj if hasattr(file_obj, "seek") else inner
    if stream is None or not hasattr(stream, "seek"):
        return io.BytesIO(file_obj.read())
    return stream


def _check_package(stream) -> Optional[str]:
    """Why ``stream`` cannot be opened as a template (Chinese), or None."""
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size > MAX_UPLOAD_BYTES:
        return _("文件太大（最大 %(mb)s MB），请只保留模板内容后上传。") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
    head = stream.read(8)
    stream.seek(0)
    if head == _OLE_MAGIC:
        if _ENCRYPTED_MARK in stream.read(MAX_UPLOAD_BYTES):
            stream.seek(0)
            return _("文件设置了打开密码，请取消密码后再上传。")
        stream.seek(0)
        return _("这是旧版 Excel（.xls）文件，请另存为 .xlsx 后再上传。")
    if not head.startswith(b"PK"):
        return _("文件不是 Excel 工作簿（.xlsx），请用下发的模板填写后上传。")
    try:
        with zipfile.ZipFile(stream) as package:
            entries = package.infolist()
            names = {entry.filename for entry in entries}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return _("文件已损坏，无法打开，请重新保存后上传。")
    finally:
        stream.seek(0)
    if "xl/workbook.xml" not in names:
        return _("文件不是 Excel 工作簿（.xlsx），请用下发的模板填写后上传。")
    if len(entries) > MAX_ZIP_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
        return _("文件解压后过大，请只保留模板内容后上传。")
    return None


def _position(ref: str) -> tuple[int, int]:
    letters, row = coordinate_from_string(ref)
    return row, column_index_from_string(letters)


def _formula_error(value) -> Optional[str]:
    if isinstance(value, str) and value.strip() in EXCEL_ERRORS:
        return _("公式结果出错（%(error)s），请改正后再上传") % {"error": value.strip()}
    return None


def _find_sheet(names: list, wanted: str) -> Optional[str]:
    if wanted in names:
        return wanted
    for name in names:
        if name.strip() == wanted.strip():
            return name
    return None


def read_template(file_obj, spec: dict) -> tuple[dict, list]:
    """The answer values of a filled-in template ``file_obj`` (a path, bytes,
    or a binary file such as Django's UploadedFile) checked against ``spec``
    (TemplateSpec). Returns (values, errors): values by cell key, the table's
    non-empty rows as a list of dicts under the table's key; errors a list of
    CellError (empty when the file is fine). Never raises for a bad file."""
    problems = check_template(spec)
    if problems:
        # A spec the call's form let through: say so rather than fail on it.
        message = _("模板填报位置有误，请联系秘书处：%(problems)s") % {"problems": "；".join(problems)}
        return {}, [CellError("", "", message)]
    stream = _binary(file_obj)
    try:
        problem = _check_package(stream)
        if problem:
            return {}, [CellError("", "", problem)]
        return _read_checked(stream, spec)
    finally:
        if stream is not file_obj and stream is not getattr(file_obj, "file", None):
            stream.close()


def _open(stream, *, data_only: bool):
    stream.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops
        return openpyxl.load_workbook(stream, read_only=True, data_only=data_only)


def _read_checked(stream, spec: dict) -> tuple[dict, list]:
    sheet_name = spec["sheet"]
    try:
        book = _open(stream, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken package
        return {}, [CellError("", "", _("文件已损坏，无法打开，请重新保存后上传。"))]
    try:
        found = _find_sheet(book.sheetnames, sheet_name)
        if found is None:
            message = _("找不到工作表「%(sheet)s」（文件中的工作表：%(names)s），请使用下发的模板填写。") % {
                "sheet": sheet_name,
                "names": "、".join(book.sheetnames),
            }
            return {}, [CellError("", "", message)]
        reader = _TemplateReader(spec, found)
        try:
            reader.scan(book[found], formulas=False)
        except Exception:
            return {}, [CellError("", "", _("文件已损坏，无法打开，请重新保存后上传。"))]
    finally:
        book.close()
    if reader.blank_cells:
        # An empty value may be a formula saved without its result (files
        # written by programs, not by Excel): look at the formulas once.
        try:
            book = _open(stream, data_only=False)
            try:
                reader.scan(book[found], formulas=True)
            finally:
                book.close()
        except Exception:
            return {}, [CellError("", "", _("文件已损坏，无法打开，请重新保存后上传。"))]
    return reader.result()


class _TemplateReader:
    """Collects the cells of one template sheet in one scan of its rows."""

    def __init__(self, spec: dict, sheet_name: str):
        self.sheet = sheet_name
        self.cells = {}  # (row, col) -> cell spec
        for cell in spec.get("cells") or []:
            self.cells[_position(cell["ref"])] = cell
        self.table = spec.get("table")
        self.table_columns = []
        if self.table:
            self.table_columns = [(column_index_from_string(c["col"]), c) for c in self.table["columns"]]
            self.first_row = int(self.table["first_row"])
            self.last_row = self.first_row + int(self.table["max_rows"]) - 1
        cols = [col for _row, col in self.cells] + [col for col, _c in self.table_columns]
        self.max_col = max(cols, default=1)
        rows = [row for row, _col in self.cells] + ([self.last_row] if self.table else [])
        self.max_row = max(rows, default=1)
        self.raw = {}  # (row, col) -> cached value
        self.table_rows = []  # (row number, {col: value})
        self.extra_rows = 0
        self.first_extra = None
        self.blank_cells = set()
        self.formulas = set()

    def scan(self, sheet, *, formulas: bool) -> None:
        sheet.reset_dimensions()  # a wrong <dimension> would hide rows
        wanted_rows = {row for row, _col in self.cells}
        if self.table:
            wanted_rows.update(range(self.first_row, self.last_row + 1))
        rows = sheet.iter_rows(min_row=1, max_col=self.max_col, values_only=True)
        counting = bool(self.table)  # rows filled right after the table area: too many rows
        for number, values in enumerate(rows, start=1):
            if formulas:
                if number > self.max_row:
                    break
                for col in range(1, len(values) + 1):
                    if (number, col) in self.blank_cells:
                        value = values[col - 1]
                        if isinstance(value, str) and value.startswith("="):
                            self.formulas.add((number, col))
                continue
            if number in wanted_rows:
                for col in range(1, len(values) + 1):
                    if (number, col) in self.cells:
                        self._keep(number, col, values[col - 1])
                if self.table and self.first_row <= number <= self.last_row:
                    row = {}
                    for col, _column in self.table_columns:
                        row[col] = self._keep(number, col, values[col - 1] if col <= len(values) else None)
                    self.table_rows.append((number, row))
            if counting and number > self.last_row:
                if any(col <= len(values) and not _empty(values[col - 1]) for col, _c in self.table_columns):
                    self.extra_rows += 1
                    self.first_extra = self.first_extra or number
                    # Enough to say so past MAX_EXTRA_ROWS: no need to read the rest.
                    counting = self.extra_rows < MAX_EXTRA_ROWS
                else:
                    counting = False  # the table area ends at the first empty row after it
            if not counting and number >= self.max_row:
                break

    def _keep(self, row: int, col: int, value):
        self.raw[(row, col)] = value
        if _empty(value):
            self.blank_cells.add((row, col))
        return value

    def _check(self, row: int, col: int, spec: dict, value, errors: list):
        ref = "%s%d" % (openpyxl.utils.get_column_letter(col), row)
        if (row, col) in self.formulas:
            errors.append(CellError(self.sheet, ref, _("公式没有计算结果，请在 Excel 中打开、保存后再上传"), spec["label"]))
            return None
        problem = _formula_error(value)
        if problem:
            errors.append(CellError(self.sheet, ref, problem, spec["label"]))
            return None
        try:
            return coerce(spec, value)
        except ValueError as error:
            errors.append(CellError(self.sheet, ref, str(error), spec["label"]))
            return None

    def result(self) -> tuple[dict, list]:
        values, errors = {}, []
        for (row, col), spec in self.cells.items():
            value = self._check(row, col, spec, self.raw.get((row, col)), errors)
            if value is not None:
                values[spec["key"]] = value
        if not self.table:
            return values, errors
        rows = []
        for number, raw_row in self.table_rows:
            if all(_empty(value) for value in raw_row.values()):
                # An unused row of the area (formulas without results alone
                # do not make a row: templates written by programs have them).
                continue
            row = {}
            for col, column in self.table_columns:
                value = self._check(number, col, column, raw_row.get(col), errors)
                if value is not None:
                    row[column["key"]] = value
            rows.append(row)
        if self.extra_rows:
            errors.append(
                CellError(
                    self.sheet,
                    "",
                    _("表格「%(label)s」最多 %(max)s 行（第 %(first)s–%(last)s 行），第 %(extra)s 行起多出 %(count)s 行，请删除多出的行或分次报送")
                    % {
                        "label": self.table["label"],
                        "max": self.last_row - self.first_row + 1,
                        "first": self.first_row,
                        "last": self.last_row,
                        "extra": self.first_extra,
                        "count": self.extra_rows,
                    },
                )
            )
        if rows:
            values[self.table["key"]] = rows
        elif self.table.get("required"):
            errors.append(
                CellError(self.sheet, "", _("表格「%(label)s」至少填写一行") % {"label": self.table["label"]})
            )
        return values, errors


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- The consolidated workbook -------------------------------------------------

FIRST_SHEET = "报送数据"
SUMMARY_SHEET = "汇总"
ABOUT_SHEET = "导出说明"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_WIDTHS = {"text": 20, "longtext": 40, "number": 14, "date": 12, "choice": 12, "multichoice": 20, "file": 24, "table": 10}
_SHEET_NAME_BAD = str.maketrans({c: "_" for c in "[]:*?/\\"})

AnswerSource = Union[Iterable, Callable[[], Iterable]]


def watermark_text(user=None, now: Optional[datetime.datetime] = None) -> str:
    """The watermark of an export by ``user`` at ``now``, worded like the log
    export's: "<organisation> 内部资料 · 导出人：<name> · 导出时间：<time>"."""
    now = timezone.localtime(now or timezone.now())
    return "%s 内部资料 · 导出人：%s · 导出时间：%s" % (
        settings.ORGANISATION_NAME,
        user_label(user),
        now.strftime("%Y-%m-%d %H:%M"),
    )


def _header(spec: dict) -> str:
    unit = spec.get("unit") or ""
    if spec.get("type") == "number" and unit:
        return "%s（%s）" % (spec["label"], unit)
    return spec["label"]


def _sheet_name(label: str, taken: set) -> str:
    base = (label.translate(_SHEET_NAME_BAD).strip("'") or "表格")[:28]
    name, n = base, 2
    while name.casefold() in taken:
        name = "%s_%d" % (base[:26], n)
        n += 1
    taken.add(name.casefold())
    return name


class _Writer:
    """The workbook, its formats and the cell writers of each column kind."""

    def __init__(self, out, *, title: str, watermark: str):
        self.book = xlsxwriter.Workbook(
            out, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        )
        self.title = clean_text(title)
        self.watermark = clean_text(watermark)
        self.book.set_properties(
            {
                "title": self.title,
                "subject": "内部资料，请勿外传",
                "company": settings.ORGANISATION_NAME,
                "category": "内部资料",
                "keywords": self.watermark,
                "comments": self.watermark,
            }
        )
        self.book.set_custom_property("水印", self.watermark[:255])
        self.header_format = self.book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        self.text_format = self.book.add_format({"quote_prefix": True})
        self.date_format = self.book.add_format({"num_format": DATE_FORMAT})
        self.datetime_format = self.book.add_format({"num_format": DATETIME_FORMAT})
        # The fixed sheets keep their names: a table labelled 汇总 becomes 汇总_2.
        self.taken = {FIRST_SHEET, SUMMARY_SHEET, ABOUT_SHEET}

    def sheet(self, name: str, headers: list, widths: list, *, fixed: bool = False):
        sheet = self.book.add_worksheet(name if fixed else _sheet_name(name, self.taken))
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        for col, header in enumerate(headers):
            sheet.write_string(0, col, clean_text(header), self.header_format)
        sheet.freeze_panes(1, 1)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0)
        mark = _header_text(self.watermark)
        sheet.set_header("&L%s&R%s" % (mark, _header_text(self.title)))
        sheet.set_footer("&L%s&R第 &P 页，共 &N 页" % mark)
        return sheet

    def text(self, sheet, row: int, col: int, value: str) -> None:
        """Text as text: never a formula; a leading = + - @ keeps a quote prefix."""
        if _CONTROL.search(value) or len(value) > EXCEL_CELL_LIMIT:
            value = cell_text(value)
        if not value:
            return
        if value[0] in FORMULA_TRIGGERS:
            sheet.write_string(row, col, value, self.text_format)
        else:
            sheet.write_string(row, col, value)

    def cell_writer(self, spec: dict):
        """A function (sheet, row, col, value) writing a stored value of
        ``spec``: numbers as numbers, dates as dates, the rest as text."""
        kind = spec.get("type")
        text = self.text
        if kind == "number":
            def write_number(sheet, row, col, value):
                try:
                    number = float(value)
                except (TypeError, ValueError):
                    return text(sheet, row, col, display(spec, value))
                if number != number or number in (_INF, -_INF):
                    return text(sheet, row, col, str(value))
                sheet.write_number(row, col, number)
            return write_number
        if kind == "date":
            date_format = self.date_format
            def write_date(sheet, row, col, value):
                try:
                    day = datetime.date.fromisoformat(value)
                except (TypeError, ValueError):
                    return text(sheet, row, col, display(spec, value))
                sheet.write_datetime(row, col, day, date_format)
            return write_date
        if kind in ("text", "longtext", "choice"):
            def write_text(sheet, row, col, value):
                text(sheet, row, col, value if value.__class__ is str else display(spec, value))
            return write_text
        def write_display(sheet, row, col, value):
            text(sheet, row, col, display(spec, value))
        return write_display


_INF = float("inf")


def write_consolidation(
    out,
    *,
    title: str,
    fields: Optional[list],
    template: Optional[dict],
    answers: AnswerSource,
    watermark: str,
    summary: Optional[Summary] = None,
) -> None:
    """Write every answer of a call to ``out`` (a path or a binary file) as one
    workbook: sheet 1 (报送数据) one row per answer row, the unit's name in the
    first column, then its status, submission time, 逾期 and one column per
    field; one sheet per table field (or the template's table) with the rows
    of all units stacked, the unit's name in the first column; 汇总 (the
    summary); 导出说明. ``fields`` (FieldSpecs) or ``template`` (TemplateSpec)
    says what was asked. ``answers`` are AnswerRows (unit_name, status_label,
    submitted_at (aware or naive local), late, values) in the order to list
    them -- include a row for each missing unit (values {}) so that sheet 1
    has one row per recipient unit -- or a callable returning them; it is
    read once. ``summary`` None: built from the same pass (the expected units
    are then the units of the rows). Text is never written as a formula;
    numbers are numbers (unit in the header), dates are dates."""
    if template is not None:
        fields = template_fields(template)
    fields = list(fields or [])
    rows = answers() if callable(answers) else answers
    builder = None if summary is not None else SummaryBuilder(fields, None)
    writer = _Writer(out, title=title, watermark=watermark)
    main = writer.sheet(
        FIRST_SHEET,
        ["单位", "状态", "提交时间", "是否逾期"] + [_header(spec) for spec in fields],
        [24, 10, 17, 8] + [_WIDTHS.get(spec.get("type"), 16) for spec in fields],
        fixed=True,
    )
    columns = [(col, spec["key"], writer.cell_writer(spec)) for col, spec in enumerate(fields, start=4)]
    tables = []  # (field key, sheet, [(col, column key, writer)], next row)
    for spec in fields:
        if spec.get("type") != "table":
            continue
        table_columns = spec.get("columns") or []
        sheet = writer.sheet(
            spec["label"],
            ["单位", "行号"] + [_header(column) for column in table_columns],
            [24, 6] + [_WIDTHS.get(column.get("type"), 16) for column in table_columns],
        )
        cells = [(col, column["key"], writer.cell_writer(column)) for col, column in enumerate(table_columns, start=2)]
        tables.append([spec["key"], sheet, cells, 1])
    tz = timezone.get_default_timezone()
    text = writer.text
    datetime_format = writer.datetime_format
    row = 0
    for answer in rows:
        unit_name, status_label, submitted_at, late, values = answer
        if builder is not None:
            builder.add(answer)
        row += 1
        text(main, row, 0, unit_name or "")
        text(main, row, 1, status_label or "")
        if submitted_at is not None:
            if submitted_at.tzinfo is not None:
                submitted_at = submitted_at.astimezone(tz).replace(tzinfo=None)
            main.write_datetime(row, 2, submitted_at, datetime_format)
        if late:
            main.write_string(row, 3, "逾期")
        if not values:
            continue
        get = values.get
        for col, key, write in columns:
            value = get(key)
            if value is not None and value != "":
                write(main, row, col, value)
        for table in tables:
            table_rows = get(table[0])
            if not isinstance(table_rows, list):
                continue
            sheet, cells, at = table[1], table[2], table[3]
            for number, table_row in enumerate(table_rows, start=1):
                if not isinstance(table_row, dict):
                    continue
                text(sheet, at, 0, unit_name or "")
                sheet.write_number(at, 1, number)
                for col, key, write in cells:
                    value = table_row.get(key)
                    if value is not None and value != "":
                        write(sheet, at, col, value)
                at += 1
            table[3] = at
    main.autofilter(0, 0, max(row, 1), 3 + len(fields))
    for _key, sheet, cells, at in tables:
        sheet.autofilter(0, 0, max(at - 1, 1), 1 + len(cells))
    if builder is not None:
        summary = builder.result()
    _write_summary(writer, summary, row)
    writer.book.close()


def _write_summary(writer: _Writer, summary: Summary, row_count: int) -> None:
    sheet = writer.sheet(SUMMARY_SHEET, ["项目", "内容", "", "", ""], [24, 16, 12, 16, 16], fixed=True)
    sheet.freeze_panes(0, 0)
    text, bold = writer.text, writer.header_format
    lines = [
        ("应报单位", str(summary.expected_count)),
        ("已报单位", str(summary.answered_count)),
        ("逾期单位", str(summary.late_unit_count)),
        ("未报单位", str(summary.missing_count)),
        ("未报单位名单", "、".join(summary.missing) or "无"),
        ("逾期单位名单", "、".join(summary.late) or "无"),
    ]
    row = 1
    for label, value in lines:
        sheet.write_string(row, 0, label)
        text(sheet, row, 1, value)
        row += 1
    if summary.numbers:
        row += 1
        for col, header in enumerate(("数字项", "计量单位", "填报数", "合计", "平均")):
            sheet.write_string(row, col, header, bold)
        for total in summary.numbers:
            row += 1
            text(sheet, row, 0, total.label)
            text(sheet, row, 1, total.unit)
            sheet.write_number(row, 2, total.count)
            sheet.write_number(row, 3, float(total.total))
            if total.average is not None:
                sheet.write_number(row, 4, float(total.average))
    row += 2
    headers = ["单位", "报送次数", "逾期次数"] + [total.label for total in summary.numbers]
    for col, header in enumerate(headers):
        sheet.write_string(row, col, clean_text(header), bold)
    keys = [total.key for total in summary.numbers]
    for line in summary.by_unit:
        row += 1
        text(sheet, row, 0, line.unit)
        sheet.write_number(row, 1, line.answers)
        sheet.write_number(row, 2, line.late)
        for col, key in enumerate(keys, start=3):
            if key in line.totals:
                sheet.write_number(row, col, float(line.totals[key]))
    about = writer.sheet(ABOUT_SHEET, ["项目", "内容"], [14, 60], fixed=True)
    about.freeze_panes(0, 0)
    for row, (label, value) in enumerate(
        (("标题", writer.title), ("水印", writer.watermark), ("数据行数", str(row_count)), ("说明", "内部资料，请勿外传。")),
        start=1,
    ):
        about.write_string(row, 0, label)
        text(about, row, 1, value)
