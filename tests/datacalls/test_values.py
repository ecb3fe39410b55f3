"""datacalls/values.py: every kind of input of every field type (table-driven)."""
import datetime
from decimal import Decimal

import pytest

from datacalls.values import check_fields, check_template, coerce, coerce_all, display, template_fields

NUMBER = {"key": "amount", "label": "金额", "type": "number", "required": False, "unit": "万元"}
DATE = {"key": "day", "label": "日期", "type": "date", "required": False}
TEXT = {"key": "name", "label": "名称", "type": "text", "required": False}
LONGTEXT = {"key": "note", "label": "意见", "type": "longtext", "required": False}
CHOICE = {"key": "level", "label": "满意度", "type": "choice", "required": False, "choices": ["满意", "基本满意", "不满意"]}
MULTI = {"key": "ways", "label": "方式", "type": "multichoice", "required": False, "choices": ["电话", "走访", "邮件"]}
FILE = {"key": "scan", "label": "扫描件", "type": "file", "required": False}
TABLE = {
    "key": "rows",
    "label": "明细",
    "type": "table",
    "required": False,
    "columns": [
        {"key": "client", "label": "客户", "type": "text", "required": True},
        {"key": "amount", "label": "金额", "type": "number", "required": False, "unit": "元"},
    ],
}


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("12.5", "12.5"),
        ("12.50", "12.5"),
        ("-3", "-3"),
        ("+7", "7"),
        ("1,234.5", "1234.5"),
        ("1,234,567", "1234567"),
        ("  42  ", "42"),
        ("１２．５", "12.5"),
        ("－３", "-3"),
        ("１，２３４", "1234"),
        ("\u3000８８\u3000", "88"),
        ("\u22125", "-5"),
        ("1 234", "1234"),
        (".5", "0.5"),
        ("5.", "5"),
        ("-0", "0"),
        ("100万元", "100"),
        ("100 万元", "100"),
        (12, "12"),
        (12.0, "12"),
        (0.1 + 0.2, "0.3"),
        (-2.75, "-2.75"),
        (Decimal("3.1400"), "3.14"),
        (1e14, "100000000000000"),
        ("0", "0"),
    ],
)
def test_number_inputs_become_a_normalised_decimal_string(raw, expected):
    assert coerce(NUMBER, raw) == expected


@pytest.mark.parametrize(
    "raw, message",
    [
        ("abc", "请填写数字"),
        ("12abc", "请填写数字"),
        ("1,23", "请填写数字"),
        ("1.2.3", "请填写数字"),
        ("--3", "请填写数字"),
        ("-", "请填写数字"),
        (".", "请填写数字"),
        ("1e5", "请填写数字"),
        ("十二", "请填写数字"),
        ("12元", "请填写数字"),
        (True, "请填写数字"),
        (float("nan"), "请填写数字"),
        (float("inf"), "请填写数字"),
        (Decimal("NaN"), "请填写数字"),
        (datetime.date(2026, 3, 31), "请填写数字"),
        (["1"], "请填写数字"),
        ("1" * 16, "数字太大（绝对值应小于 10 的 15 次方）"),
        (1e15, "数字太大（绝对值应小于 10 的 15 次方）"),
    ],
)
def test_number_refuses_what_is_not_a_number(raw, message):
    with pytest.raises(ValueError) as error:
        coerce(NUMBER, raw)

    assert str(error.value) == message


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2026-03-31", "2026-03-31"),
        ("2026-3-31", "2026-03-31"),
        ("2026/3/31", "2026-03-31"),
        ("2026.3.31", "2026-03-31"),
        ("2026年3月31日", "2026-03-31"),
        ("2026年3月31", "2026-03-31"),
        ("2026 年 3 月 31 日", "2026-03-31"),
        ("２０２６－０３－３１", "2026-03-31"),
        ("２０２６年３月３１日", "2026-03-31"),
        ("20260331", "2026-03-31"),
        ("2026-03-31 00:00:00", "2026-03-31"),
        ("2026-03-31T10:30", "2026-03-31"),
        ("2024-02-29", "2024-02-29"),
        (datetime.date(2026, 3, 31), "2026-03-31"),
        (datetime.datetime(2026, 3, 31, 15, 0), "2026-03-31"),
        (46112, "2026-03-31"),
        (46112.75, "2026-03-31"),
        (1, "1900-01-01"),
        (61, "1900-03-01"),
    ],
)
def test_date_inputs_become_iso_dates(raw, expected):
    assert coerce(DATE, raw) == expected


@pytest.mark.parametrize(
    "raw, message",
    [
        ("2026-02-30", "没有这一天：2026年2月30日"),
        ("2025-02-29", "没有这一天：2025年2月29日"),
        ("2026-13-01", "没有这一天：2026年13月1日"),
        ("abc", "日期格式应为 2026-03-31"),
        ("3/31/2026", "日期格式应为 2026-03-31"),
        ("2026-03", "日期格式应为 2026-03-31"),
        ("明天", "日期格式应为 2026-03-31"),
        (0, "日期格式应为 2026-03-31"),
        (-5, "日期格式应为 2026-03-31"),
        (True, "日期格式应为 2026-03-31"),
        (["2026-03-31"], "日期格式应为 2026-03-31"),
        ("1899-12-31", "日期应在 1900 年到 2100 年之间"),
        ("2200-01-01", "日期应在 1900 年到 2100 年之间"),
    ],
)
def test_date_refuses_what_is_not_a_date(raw, message):
    with pytest.raises(ValueError) as error:
        coerce(DATE, raw)

    assert str(error.value) == message


@pytest.mark.parametrize(
    "spec, raw, expected",
    [
        (TEXT, "  客户甲  ", "客户甲"),
        (TEXT, "两行\n文字", "两行 文字"),
        (TEXT, 123, "123"),
        (TEXT, 12.0, "12"),
        (TEXT, datetime.datetime(2026, 3, 31), "2026-03-31"),
        (TEXT, "=SUM(A1)", "=SUM(A1)"),
        (LONGTEXT, "第一行\r\n第二行", "第一行\n第二行"),
        (LONGTEXT, "  ", None),
        (TEXT, None, None),
        (TEXT, "", None),
    ],
)
def test_text_inputs(spec, raw, expected):
    assert coerce(spec, raw) == expected


def test_text_longer_than_the_limit_is_refused():
    with pytest.raises(ValueError) as error:
        coerce(TEXT, "字" * 501)

    assert str(error.value) == "内容过长（最多 500 字）"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("满意", "满意"),
        (" 满意 ", "满意"),
        ("基本 满意", "基本满意"),
        (["不满意"], "不满意"),
    ],
)
def test_choice_inputs(raw, expected):
    assert coerce(CHOICE, raw) == expected


@pytest.mark.parametrize(
    "raw, message",
    [
        ("很好", "「很好」不是可选项之一"),
        (["满意", "不满意"], "只能选择一项"),
        (3, "「3」不是可选项之一"),
    ],
)
def test_choice_refuses_other_answers(raw, message):
    with pytest.raises(ValueError) as error:
        coerce(CHOICE, raw)

    assert str(error.value) == message


@pytest.mark.parametrize(
    "raw, expected",
    [
        (["邮件", "电话"], ["电话", "邮件"]),
        ("电话、走访", ["电话", "走访"]),
        ("电话,走访", ["电话", "走访"]),
        ("电话，邮件；走访", ["电话", "走访", "邮件"]),
        ("电话\n电话", ["电话"]),
        ("走访", ["走访"]),
        ([], None),
        (["", None], None),
    ],
)
def test_multichoice_inputs(raw, expected):
    assert coerce(MULTI, raw) == expected


def test_multichoice_refuses_an_unknown_option():
    with pytest.raises(ValueError) as error:
        coerce(MULTI, ["电话", "传真"])

    assert str(error.value) == "「传真」不是可选项之一"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ({"name": "意见表.pdf", "id": 7}, {"name": "意见表.pdf", "id": 7}),
        ({"name": "a.pdf", "id": 1, "extra": "dropped"}, {"name": "a.pdf", "id": 1}),
    ],
)
def test_file_inputs(raw, expected):
    assert coerce(FILE, raw) == expected


@pytest.mark.parametrize("raw", ["a.pdf", {"name": "a.pdf"}, {"name": "", "id": 1}, {"name": "a", "id": "1"}, {"name": "a", "id": True}])
def test_file_refuses_other_shapes(raw):
    with pytest.raises(ValueError) as error:
        coerce(FILE, raw)

    assert str(error.value) == "请上传文件"


def test_table_coerces_each_row_and_drops_empty_rows():
    raw = [
        {"client": "客户甲", "amount": "１，０００"},
        {"client": "", "amount": ""},
        {"client": "客户乙"},
        {},
    ]

    assert coerce(TABLE, raw) == [{"client": "客户甲", "amount": "1000"}, {"client": "客户乙"}]


def test_table_names_every_bad_row_and_column():
    raw = [{"client": "客户甲", "amount": "abc"}, {"amount": "5"}]

    with pytest.raises(ValueError) as error:
        coerce(TABLE, raw)

    assert str(error.value) == "第 1 行「金额」：请填写数字；第 2 行「客户」：必填项未填写"


@pytest.mark.parametrize("raw", ["客户甲", [1, 2], {"client": "x"}])
def test_table_refuses_other_shapes(raw):
    with pytest.raises(ValueError) as error:
        coerce(TABLE, raw)

    assert str(error.value) == "表格数据格式不正确"


def test_table_of_only_empty_rows_is_missing():
    assert coerce(TABLE, [{"client": " "}]) is None


@pytest.mark.parametrize("spec", [NUMBER, DATE, TEXT, LONGTEXT, CHOICE, MULTI, FILE, TABLE])
@pytest.mark.parametrize("raw", [None, "", "   ", [], ["  "]])
def test_required_field_left_empty_is_refused(spec, raw):
    with pytest.raises(ValueError) as error:
        coerce({**spec, "required": True}, raw)

    assert str(error.value) == "必填项未填写"


def test_coerce_all_keeps_good_values_and_names_the_bad_ones():
    values, errors = coerce_all([NUMBER, DATE, {**TEXT, "required": True}], {"amount": "1,000", "day": "2026-02-30"})

    assert values == {"amount": "1000"}
    assert errors == {"day": "没有这一天：2026年2月30日", "name": "必填项未填写"}


@pytest.mark.parametrize(
    "spec, value, expected",
    [
        (NUMBER, "1234567.5", "1,234,567.5 万元"),
        (NUMBER, "-1234", "-1,234 万元"),
        ({**NUMBER, "unit": ""}, "12", "12"),
        (DATE, "2026-03-31", "2026-03-31"),
        (MULTI, ["电话", "邮件"], "电话、邮件"),
        (FILE, {"name": "a.pdf", "id": 1}, "a.pdf"),
        (TABLE, [{}, {}, {}], "3 行"),
        (TEXT, None, ""),
        (CHOICE, "满意", "满意"),
        (NUMBER, "not a number", "not a number"),
    ],
)
def test_display(spec, value, expected):
    assert display(spec, value) == expected


def test_template_fields_turn_cells_and_table_into_field_specs():
    template = {
        "sheet": "季度意见",
        "cells": [{"ref": "B3", **NUMBER}],
        "table": {"key": "rows", "label": "明细", "first_row": 6, "max_rows": 50, "columns": [{"col": "A", **TEXT}]},
    }

    assert template_fields(template) == [
        NUMBER,
        {"key": "rows", "label": "明细", "type": "table", "required": False, "columns": [TEXT]},
    ]


def test_check_fields_accepts_good_specs():
    assert check_fields([NUMBER, DATE, TEXT, LONGTEXT, CHOICE, MULTI, FILE, TABLE]) == []


def test_check_fields_names_each_problem():
    fields = [
        {"key": "Amount", "label": "金额", "type": "number"},
        {"key": "a", "label": "甲", "type": "text"},
        {"key": "a", "label": "乙", "type": "text"},
        {"key": "b", "label": "丙", "type": "colour"},
        {"key": "c", "label": "丁", "type": "choice"},
        {"key": "d", "label": "戊", "type": "table", "columns": [{"key": "f", "label": "附件", "type": "file"}]},
    ]

    assert check_fields(fields) == [
        "「金额」的代码应为小写英文字母开头的字母、数字或下划线",
        "代码「a」重复",
        "「丙」的类型不可用：colour",
        "「丁」没有可选项",
        "「附件」的类型不可用：file",
    ]


GOOD_TEMPLATE = {
    "sheet": "季度意见",
    "cells": [{"ref": "B3", **NUMBER}, {"ref": "B4", **DATE}],
    "table": {"key": "rows", "label": "明细", "first_row": 6, "max_rows": 50, "columns": [{"col": "A", **TEXT}, {"col": "B", **NUMBER}]},
}


def test_check_template_accepts_a_good_spec():
    assert check_template(GOOD_TEMPLATE) == []
    assert check_template({**GOOD_TEMPLATE, "table": None}) == []
    assert check_template({**GOOD_TEMPLATE, "cells": []}) == []


@pytest.mark.parametrize(
    "template, problems",
    [
        ([], ["模板填报位置格式不正确"]),
        ({**GOOD_TEMPLATE, "sheet": " "}, ["模板填报位置须写明工作表名称"]),
        ({"sheet": "a", "cells": [], "table": None}, ["模板须至少指定一个填报单元格或一个表格区域"]),
        ({**GOOD_TEMPLATE, "cells": "B3"}, ["模板的单元格列表格式不正确"]),
        ({**GOOD_TEMPLATE, "cells": [{"ref": "b3", **NUMBER}]}, ["「金额」的单元格位置无效：b3"]),
        ({**GOOD_TEMPLATE, "cells": [{"ref": "B0", **NUMBER}]}, ["「金额」的单元格位置无效：B0"]),
        ({**GOOD_TEMPLATE, "cells": [{"ref": "ZZZ1", **NUMBER}]}, ["「金额」的单元格位置无效：ZZZ1"]),
        ({**GOOD_TEMPLATE, "cells": [{"ref": "B3", **NUMBER}, {"ref": "B3", **DATE}]}, ["单元格 B3 重复"]),
        ({**GOOD_TEMPLATE, "cells": [{"ref": "B3", **NUMBER}, {"ref": "C3", **NUMBER}]}, ["代码「amount」重复"]),
        ({**GOOD_TEMPLATE, "cells": [{"ref": "B3", **FILE}]}, ["「扫描件」的类型不可用：file"]),
        ({**GOOD_TEMPLATE, "cells": [{"ref": "B3", **TABLE}]}, ["「明细」的类型不可用：table"]),
        ({**GOOD_TEMPLATE, "cells": [{"ref": "B7", **NUMBER}]}, ["单元格 B7 在表格区域内"]),
        ({**GOOD_TEMPLATE, "table": "A6"}, ["模板的表格区域格式不正确"]),
        ({**GOOD_TEMPLATE, "table": {**GOOD_TEMPLATE["table"], "first_row": 0}}, ["表格的起始行无效：0"]),
        ({**GOOD_TEMPLATE, "table": {**GOOD_TEMPLATE["table"], "max_rows": 5000}}, ["表格的最多行数应在 1 到 1000 之间"]),
        ({**GOOD_TEMPLATE, "table": {**GOOD_TEMPLATE["table"], "columns": []}}, ["表格「明细」没有列"]),
        (
            {**GOOD_TEMPLATE, "table": {**GOOD_TEMPLATE["table"], "columns": [{"col": "1", **TEXT}, {"col": "C", **FILE}]}},
            ["「名称」的列位置无效：1", "「扫描件」的类型不可用：file"],
        ),
        ({**GOOD_TEMPLATE, "table": {**GOOD_TEMPLATE["table"], "key": "amount"}}, ["代码「amount」重复"]),
    ],
)
def test_check_template_names_each_problem(template, problems):
    assert check_template(template) == problems
