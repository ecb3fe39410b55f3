"""Typed answer values of a data call (报送任务, issue 13): parse and show.

Pure functions, no models: the forms, the template reader (workbook.py), the
matrix and the consolidated workbook all go through ``coerce`` and
``display`` so that a value typed on a phone and the same value typed in an
Excel template end up identical.

Shapes (agreed with datacalls' models and services):

- FieldSpec: ``{"key": ascii slug, "label": Chinese, "type": one of
  FIELD_TYPES, "required": bool, "unit": str (number only, e.g. "万元"),
  "choices": [str] (choice/multichoice), "columns": [FieldSpec] (table only;
  a column is neither a table nor a file)}``.
- Answer values: ``{key: value}`` with value, by type: text/longtext a str;
  number a normalised decimal string ("12.5", "-3"; no exponent, no thousands
  separators); date "YYYY-MM-DD"; choice a str; multichoice [str] in the
  order of the choices; file ``{"name": str, "id": int}`` (stored by the
  app); table ``[{column_key: value}]``. Missing: key absent or None.

Errors are ``ValueError`` with a short Chinese message that reads after a
field label or a cell reference ("工作表「季度意见」B3：请填写数字").
"""
import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import NamedTuple, Optional

from django.utils.translation import gettext as _

FIELD_TYPES = ("text", "longtext", "number", "date", "choice", "multichoice", "file", "table")
COLUMN_TYPES = ("text", "longtext", "number", "date", "choice", "multichoice")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

TEXT_MAX = 500
LONGTEXT_MAX = 20000
TABLE_MAX_ROWS = 1000
# Beyond this Excel's doubles no longer hold every digit of a whole number.
NUMBER_LIMIT = Decimal(10) ** 15
DATE_MIN = datetime.date(1900, 1, 1)
DATE_MAX = datetime.date(2100, 12, 31)
EXCEL_EPOCH = datetime.date(1899, 12, 30)  # serial 1 = 1900-01-01 past Excel's fake 1900-02-29

# Separators between the options of a multiple choice typed in one cell.
_MULTI_SPLIT = re.compile(r"\s*[、,，;；/\n|]\s*")
_SPACES = re.compile(r"\s+")
# A decimal with optional sign, thousands groups of three, optional fraction.
_NUMBER = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?$")
_DATE_PARTS = re.compile(
    r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# Minus signs NFKC leaves alone.
_MINUS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\ufe63": "-"})


def _missing(raw) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, (list, tuple)):
        return not raw or all(_missing(item) for item in raw)
    if isinstance(raw, dict):
        return not raw
    return False


def _scalar_text(raw) -> str:
    """A cell or form value as the text a person typed: 12.0 → "12",
    a midnight datetime → its date."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float):
        if raw.is_integer():
            return str(int(raw))
        return format(Decimal(format(raw, ".15g")).normalize(), "f")
    if isinstance(raw, Decimal):
        return _decimal_text(raw)
    if isinstance(raw, datetime.datetime):
        if raw.time() == datetime.time(0):
            return raw.date().isoformat()
        return raw.strftime("%Y-%m-%d %H:%M")
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    return str(raw)


def _decimal_text(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "+0") else text


def _coerce_text(spec, raw, limit) -> str:
    if isinstance(raw, (list, dict)):
        raise ValueError(_("请填写文字"))
    text = _scalar_text(raw).replace("\r\n", "\n").replace("\r", "\n").strip()
    if spec["type"] == "text":
        text = _SPACES.sub(" ", text)
    if len(text) > limit:
        raise ValueError(_("内容过长（最多 %(max)s 字）") % {"max": limit})
    return text


def parse_decimal(raw, unit: str = "") -> Decimal:
    """``raw`` as a Decimal: a number, or text with full-width digits and
    signs, spaces, thousands separators, and optionally ``unit`` after it
    ("1,234.5 万元"). Raises ValueError."""
    if isinstance(raw, bool):
        raise ValueError(_("请填写数字"))
    if isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise ValueError(_("请填写数字"))
        # Excel keeps 15 significant digits; 0.1+0.2 comes back as 0.3.
        number = Decimal(format(raw, ".15g"))
    elif isinstance(raw, Decimal):
        if not raw.is_finite():
            raise ValueError(_("请填写数字"))
        number = raw
    elif isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).translate(_MINUS)
        text = _SPACES.sub("", text)
        if unit:
            unit_text = _SPACES.sub("", unicodedata.normalize("NFKC", unit))
            if unit_text and text.endswith(unit_text):
                text = text[: -len(unit_text)]
        match = _NUMBER.match(text) if len(text) <= 40 else None
        if match is None or not (match.group(2) or match.group(3)):
            raise ValueError(_("请填写数字"))
        sign, whole, fraction = match.groups()
        number = Decimal("%s%s.%s" % (sign, whole.replace(",", "") or "0", fraction or "0"))
    else:
        raise ValueError(_("请填写数字"))
    if abs(number) >= NUMBER_LIMIT:
        raise ValueError(_("数字太大（绝对值应小于 10 的 15 次方）"))
    return number


def parse_date(raw) -> datetime.date:
    """``raw`` as a date: a date or datetime, an Excel serial number, or text
    such as 2026-03-31, 2026/3/31, 2026.3.31, 2026年3月31日, 20260331 (full-width
    digits too). Raises ValueError."""
    if isinstance(raw, datetime.datetime):
        day = raw.date()
    elif isinstance(raw, datetime.date):
        day = raw
    elif isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        try:
            serial = float(raw)
        except (ValueError, OverflowError):
            raise ValueError(_("日期格式应为 2026-03-31")) from None
        if not 1 <= serial < 2958466:
            raise ValueError(_("日期格式应为 2026-03-31"))
        whole = int(serial)
        # Excel counts a 1900-02-29 that never was: serials below 61 are one day later.
        day = EXCEL_EPOCH + datetime.timedelta(days=whole + (1 if whole < 61 else 0))
    elif isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip()
        match = _DATE_PARTS.match(text) or _DATE_COMPACT.match(text)
        if match is None:
            raise ValueError(_("日期格式应为 2026-03-31"))
        year, month, day_number = (int(part) for part in match.groups()[:3])
        try:
            day = datetime.date(year, month, day_number)
        except ValueError:
            raise ValueError(
                _("没有这一天：%(year)s年%(month)s月%(day)s日") % {"year": year, "month": month, "day": day_number}
            ) from None
    else:
        raise ValueError(_("日期格式应为 2026-03-31"))
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValueError(_("日期应在 1900 年到 2100 年之间"))
    return day


def _choice_key(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).casefold()


def _match_choice(spec, text: str) -> str:
    choices = spec.get("choices") or []
    text = text.strip()
    if text in choices:
        return text
    wanted = _choice_key(text)
    for choice in choices:
        if _choice_key(choice) == wanted:
            return choice
    raise ValueError(_("「%(value)s」不是可选项之一") % {"value": text[:40]})


def _coerce_multichoice(spec, raw) -> list:
    if isinstance(raw, (list, tuple)):
        items = [_scalar_text(item) for item in raw if not _missing(item)]
    else:
        text = _scalar_text(raw).strip()
        choices = spec.get("choices") or []
        # A whole cell that is one option stays whole even if it holds a comma.
        items = [text] if text in choices else [item for item in _MULTI_SPLIT.split(text) if item]
    picked = {_match_choice(spec, item) for item in items}
    return [choice for choice in spec.get("choices") or [] if choice in picked]


def _coerce_file(raw) -> dict:
    if (
        isinstance(raw, dict)
        and isinstance(raw.get("name"), str)
        and raw["name"]
        and isinstance(raw.get("id"), int)
        and not isinstance(raw.get("id"), bool)
    ):
        return {"name": raw["name"], "id": raw["id"]}
    raise ValueError(_("请上传文件"))


def _coerce_table(spec, raw) -> list:
    if not isinstance(raw, (list, tuple)) or not all(isinstance(row, dict) for row in raw):
        raise ValueError(_("表格数据格式不正确"))
    columns = spec.get("columns") or []
    rows, problems = [], []
    for number, raw_row in enumerate(raw, start=1):
        if all(_missing(raw_row.get(column["key"])) for column in columns):
            continue  # an empty row is no row
        if len(rows) >= TABLE_MAX_ROWS:
            raise ValueError(_("表格最多 %(max)s 行") % {"max": TABLE_MAX_ROWS})
        row = {}
        for column in columns:
            try:
                value = coerce(column, raw_row.get(column["key"]))
            except ValueError as error:
                problems.append(
                    _("第 %(row)s 行「%(label)s」：%(message)s")
                    % {"row": number, "label": column["label"], "message": error}
                )
                continue
            if value is not None:
                row[column["key"]] = value
        rows.append(row)
    if problems:
        raise ValueError("；".join(problems))
    return rows


def coerce(spec: dict, raw):
    """The stored value of field ``spec`` for ``raw`` (a form's str or list,
    an openpyxl cell value: str, int, float, Decimal, datetime, date, None).

    Returns None when nothing was given and the field is optional. Raises
    ValueError with a Chinese message: "必填项未填写", "请填写数字", "日期格式应为
    2026-03-31", "「X」不是可选项之一", etc. (a table joins its rows' messages
    with "；")."""
    kind = spec["type"]
    if _missing(raw):
        if spec.get("required"):
            raise ValueError(_("必填项未填写"))
        return None
    if kind == "text":
        value = _coerce_text(spec, raw, TEXT_MAX)
    elif kind == "longtext":
        value = _coerce_text(spec, raw, LONGTEXT_MAX)
    elif kind == "number":
        value = _decimal_text(parse_decimal(raw, spec.get("unit", "")))
    elif kind == "date":
        value = parse_date(raw).isoformat()
    elif kind == "choice":
        if isinstance(raw, (list, tuple)):
            if len(raw) != 1:
                raise ValueError(_("只能选择一项"))
            raw = raw[0]
        value = _match_choice(spec, _scalar_text(raw))
    elif kind == "multichoice":
        value = _coerce_multichoice(spec, raw)
    elif kind == "file":
        value = _coerce_file(raw)
    elif kind == "table":
        value = _coerce_table(spec, raw)
    else:
        raise ValueError(_("未知的字段类型：%(type)s") % {"type": kind})
    if value in ("", []):
        if spec.get("required"):
            raise ValueError(_("必填项未填写"))
        return None
    return value


def coerce_all(fields: list, raw_values: dict) -> tuple[dict, dict]:
    """Coerce every field of ``fields`` from ``raw_values`` (key → raw).
    Returns (values without the missing ones, errors key → message)."""
    values, errors = {}, {}
    for spec in fields:
        try:
            value = coerce(spec, raw_values.get(spec["key"]))
        except ValueError as error:
            errors[spec["key"]] = str(error)
            continue
        if value is not None:
            values[spec["key"]] = value
    return values, errors


def number_text(value: str, grouping: bool = True) -> str:
    """A stored number for reading: thousands grouped ("1,234.5")."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if not grouping:
        return _decimal_text(number)
    text = _decimal_text(number)
    whole, dot, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = "{:,}".format(int(whole.lstrip("-")))
    return sign + whole + dot + fraction


def display(spec: dict, value) -> str:
    """``value`` of field ``spec`` as one line of text for the matrix, the
    summary page and text cells: "" when missing; a number grouped with its
    unit ("1,234.5 万元"); a multiple choice joined by "、"; a file by its name;
    a table as its row count ("3 行")."""
    if value is None or value == "" or value == []:
        return ""
    kind = spec.get("type")
    if kind == "number":
        try:
            Decimal(value)
        except (InvalidOperation, TypeError, ValueError):
            return str(value)  # not a stored number (the field changed type): as it is
        text = number_text(value)
        unit = spec.get("unit") or ""
        return "%s %s" % (text, unit) if unit else text
    if kind == "multichoice" and isinstance(value, (list, tuple)):
        return "、".join(str(item) for item in value)
    if kind == "file" and isinstance(value, dict):
        return str(value.get("name", ""))
    if kind == "table" and isinstance(value, (list, tuple)):
        return _("%(count)s 行") % {"count": len(value)}
    return _scalar_text(value)


def template_fields(template: dict) -> list:
    """A TemplateSpec's cells (and its table, as a table field) as FieldSpecs,
    so the summary and the matrix treat forms and templates alike."""
    fields = [{k: v for k, v in cell.items() if k != "ref"} for cell in template.get("cells") or []]
    table = template.get("table")
    if table:
        fields.append(
            {
                "key": table["key"],
                "label": table["label"],
                "type": "table",
                "required": bool(table.get("required")),
                "columns": [{k: v for k, v in column.items() if k != "col"} for column in table["columns"]],
            }
        )
    return fields


def check_fields(fields: list, *, nested: bool = False) -> list:
    """Problems (Chinese) with a list of FieldSpecs a secretary defined:
    keys not ascii slugs or repeated, unknown types, choices missing, tables
    without columns or with table/file columns. [] when fine."""
    problems, seen = [], set()
    allowed = COLUMN_TYPES if nested else FIELD_TYPES
    for spec in fields:
        key, label = spec.get("key", ""), spec.get("label") or spec.get("key", "")
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            problems.append(_("「%(label)s」的代码应为小写英文字母开头的字母、数字或下划线") % {"label": label})
        elif key in seen:
            problems.append(_("代码「%(key)s」重复") % {"key": key})
        seen.add(key)
        if not spec.get("label"):
            problems.append(_("代码「%(key)s」缺少名称") % {"key": key})
        kind = spec.get("type")
        if kind not in allowed:
            problems.append(_("「%(label)s」的类型不可用：%(type)s") % {"label": label, "type": kind})
        if kind in ("choice", "multichoice") and not spec.get("choices"):
            problems.append(_("「%(label)s」没有可选项") % {"label": label})
        if kind == "table":
            if not spec.get("columns"):
                problems.append(_("表格「%(label)s」没有列") % {"label": label})
            else:
                problems.extend(check_fields(spec["columns"], nested=True))
    return problems


_CELL_REF = re.compile(r"^([A-Z]{1,3})([1-9][0-9]{0,6})$")
_COLUMN_REF = re.compile(r"^[A-Z]{1,3}$")
EXCEL_MAX_ROW = 1048576
EXCEL_MAX_COL = 16384


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def check_template(template) -> list:
    """Problems (Chinese) with a TemplateSpec a secretary wrote: no sheet,
    cell references that are not A1-style, cells or columns of a type a cell
    cannot hold (file, table), keys repeated across cells and the table, a
    table without a valid first row, row count or columns, a cell inside the
    table's area. [] when fine; datacalls.workbook.read_template refuses to
    read with a spec that has problems."""
    if not isinstance(template, dict):
        return [_("模板填报位置格式不正确")]
    problems = []
    if not isinstance(template.get("sheet"), str) or not template["sheet"].strip():
        problems.append(_("模板填报位置须写明工作表名称"))
    cells = template.get("cells") or []
    table = template.get("table")
    if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
        return problems + [_("模板的单元格列表格式不正确")]
    if not cells and not table:
        problems.append(_("模板须至少指定一个填报单元格或一个表格区域"))
    positions = {}
    for cell in cells:
        ref = cell.get("ref")
        match = _CELL_REF.match(ref) if isinstance(ref, str) else None
        if match is None or int(match.group(2)) > EXCEL_MAX_ROW or _column_number(match.group(1)) > EXCEL_MAX_COL:
            problems.append(_("「%(label)s」的单元格位置无效：%(ref)s") % {"label": cell.get("label") or cell.get("key"), "ref": ref})
        elif ref in positions:
            problems.append(_("单元格 %(ref)s 重复") % {"ref": ref})
        else:
            positions[ref] = (int(match.group(2)), _column_number(match.group(1)))
    # A cell holds what a table column holds: no file, no table.
    fields = []
    for cell in cells:
        if cell.get("type") in FIELD_TYPES and cell.get("type") not in COLUMN_TYPES:
            problems.append(
                _("「%(label)s」的类型不可用：%(type)s") % {"label": cell.get("label") or cell.get("key"), "type": cell["type"]}
            )
        else:
            fields.append(cell)
    if table is not None:
        if not isinstance(table, dict):
            return problems + [_("模板的表格区域格式不正确")]
        columns = table.get("columns") or []
        if not isinstance(columns, list) or not all(isinstance(column, dict) for column in columns):
            columns = []  # check_fields below says the table has no columns
        first_row, max_rows = table.get("first_row"), table.get("max_rows")
        if not isinstance(first_row, int) or isinstance(first_row, bool) or not 1 <= first_row < EXCEL_MAX_ROW:
            problems.append(_("表格的起始行无效：%(value)s") % {"value": first_row})
            first_row = None
        if not isinstance(max_rows, int) or isinstance(max_rows, bool) or not 1 <= max_rows <= TABLE_MAX_ROWS:
            problems.append(_("表格的最多行数应在 1 到 %(max)s 之间") % {"max": TABLE_MAX_ROWS})
            max_rows = None
        table_cols = set()
        for column in columns:
            col = column.get("col")
            if not isinstance(col, str) or not _COLUMN_REF.match(col) or _column_number(col) > EXCEL_MAX_COL:
                problems.append(_("「%(label)s」的列位置无效：%(col)s") % {"label": column.get("label") or column.get("key"), "col": col})
            elif col in table_cols:
                problems.append(_("表格的列 %(col)s 重复") % {"col": col})
            else:
                table_cols.add(_column_number(col))
        if first_row and max_rows:
            for ref, (row, col) in positions.items():
                if first_row <= row < first_row + max_rows and col in table_cols:
                    problems.append(_("单元格 %(ref)s 在表格区域内") % {"ref": ref})
        fields.append(
            {
                "key": table.get("key"),
                "label": table.get("label"),
                "type": "table",
                "columns": [{k: v for k, v in column.items() if k != "col"} for column in columns],
            }
        )
    problems.extend(check_fields([{k: v for k, v in cell.items() if k != "ref"} for cell in fields]))
    return problems


class AnswerRow(NamedTuple):
    """One unit's answer as the summary and the workbook read it (a plain
    5-tuple in the same order works as well). ``submitted_at`` is None for a
    draft or a missing answer; those rows are listed but never counted in
    totals."""

    unit_name: str
    status_label: str
    submitted_at: Optional[datetime.datetime]
    late: bool
    values: dict
