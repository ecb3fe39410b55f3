"""datacalls/workbook.py: reading filled templates, writing the consolidated workbook."""
import csv
import datetime
import io
import os
import re
import shutil
import subprocess
import zipfile

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from datacalls.summary import summarise
from datacalls.values import AnswerRow
from datacalls.workbook import (
    ABOUT_SHEET,
    FIRST_SHEET,
    SUMMARY_SHEET,
    CellError,
    read_template,
    watermark_text,
    write_consolidation,
)

TEMPLATE = {
    "sheet": "季度意见",
    "cells": [
        {"ref": "B2", "key": "client_count", "label": "走访客户数", "type": "number", "required": True, "unit": "户"},
        {"ref": "B3", "key": "revenue", "label": "营业收入", "type": "number", "required": False, "unit": "万元"},
        {"ref": "B4", "key": "visited_on", "label": "走访日期", "type": "date", "required": True},
        {"ref": "D2", "key": "level", "label": "满意度", "type": "choice", "required": False, "choices": ["满意", "不满意"]},
        {"ref": "D3", "key": "opinion", "label": "意见", "type": "longtext", "required": False},
    ],
    "table": {
        "key": "visits",
        "label": "走访明细",
        "first_row": 7,
        "max_rows": 5,
        "columns": [
            {"col": "A", "key": "client", "label": "客户", "type": "text", "required": True},
            {"col": "B", "key": "amount", "label": "金额", "type": "number", "required": False, "unit": "元"},
            {"col": "C", "key": "day", "label": "日期", "type": "date", "required": False},
        ],
    },
}


def template_file(cells=None, rows=(), sheet="季度意见", extra=None):
    """A filled template as bytes: ``cells`` ref → value, ``rows`` table rows
    from row 7 (tuples for columns A–C), ``extra`` ref → value written last."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws["A1"] = "客户意见季度报送表"
    ws["A2"], ws["A3"], ws["A4"] = "走访客户数", "营业收入", "走访日期"
    ws["A6"], ws["B6"], ws["C6"] = "客户", "金额", "日期"
    ws["A13"] = None
    for ref, value in (cells if cells is not None else {"B2": 12, "B4": datetime.date(2026, 3, 20)}).items():
        ws[ref] = value
    for number, values in enumerate(rows, start=7):
        for col, value in enumerate(values, start=1):
            ws.cell(row=number, column=col, value=value)
    for ref, value in (extra or {}).items():
        ws[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def messages(errors):
    return [str(error) for error in errors]


def test_good_template_gives_values():
    data = template_file(
        {"B2": 12, "B3": "1,234.5", "B4": datetime.datetime(2026, 3, 20), "D2": "满意", "D3": "+很好"},
        rows=[("客户甲", 1000, datetime.date(2026, 3, 1)), ("客户乙", "２５０", "2026/3/2")],
    )

    values, errors = read_template(io.BytesIO(data), TEMPLATE)

    assert errors == []
    assert values == {
        "client_count": "12",
        "revenue": "1234.5",
        "visited_on": "2026-03-20",
        "level": "满意",
        "opinion": "+很好",
        "visits": [
            {"client": "客户甲", "amount": "1000", "day": "2026-03-01"},
            {"client": "客户乙", "amount": "250", "day": "2026-03-02"},
        ],
    }


def test_full_width_digits_and_dates_typed_as_text_are_accepted():
    data = template_file({"B2": "１２", "B3": "－３．５", "B4": "２０２６年３月２０日"})

    values, errors = read_template(data, TEMPLATE)

    assert errors == []
    assert (values["client_count"], values["revenue"], values["visited_on"]) == ("12", "-3.5", "2026-03-20")


def test_wrong_sheet_is_named_with_the_sheets_found():
    values, errors = read_template(template_file(sheet="Sheet1"), TEMPLATE)

    assert values == {}
    assert messages(errors) == ["找不到工作表「季度意见」（文件中的工作表：Sheet1），请使用下发的模板填写。"]


def test_bad_cells_are_each_named_in_chinese():
    data = template_file(
        {"B2": "十二", "B3": "abc", "B4": "2026-02-30", "D2": "还行"},
        rows=[("客户甲", "一千", "明天"), (None, 5, None)],
    )

    values, errors = read_template(data, TEMPLATE)

    assert messages(errors) == [
        "工作表「季度意见」B2（走访客户数）：请填写数字",
        "工作表「季度意见」B3（营业收入）：请填写数字",
        "工作表「季度意见」B4（走访日期）：没有这一天：2026年2月30日",
        "工作表「季度意见」D2（满意度）：「还行」不是可选项之一",
        "工作表「季度意见」B7（金额）：请填写数字",
        "工作表「季度意见」C7（日期）：日期格式应为 2026-03-31",
        "工作表「季度意见」A8（客户）：必填项未填写",
    ]
    assert values["visits"] == [{"client": "客户甲"}, {"amount": "5"}]
    assert all(isinstance(error, CellError) for error in errors)


def test_empty_required_cells_are_refused():
    values, errors = read_template(template_file({}), TEMPLATE)

    assert messages(errors) == [
        "工作表「季度意见」B2（走访客户数）：必填项未填写",
        "工作表「季度意见」B4（走访日期）：必填项未填写",
    ]
    assert values == {}


def test_too_many_rows_are_refused_and_the_table_ends_at_an_empty_row():
    rows = [("客户%d" % n, n, None) for n in range(1, 8)]  # 7 rows in an area of 5
    data = template_file(rows=rows, extra={"A15": "填表人：张三"})

    values, errors = read_template(data, TEMPLATE)

    assert messages(errors) == [
        "工作表「季度意见」：表格「走访明细」最多 5 行（第 7–11 行），第 12 行起多出 2 行，请删除多出的行或分次报送"
    ]
    assert len(values["visits"]) == 5


def test_a_note_below_the_table_after_an_empty_row_is_not_a_row():
    data = template_file(rows=[("客户甲", 1, None)], extra={"A13": "填表人：张三"})

    values, errors = read_template(data, TEMPLATE)

    assert errors == []
    assert values["visits"] == [{"client": "客户甲", "amount": "1"}]


def test_cells_below_the_table_are_read_past_its_end():
    spec = {**TEMPLATE, "cells": TEMPLATE["cells"] + [{"ref": "B16", "key": "signer", "label": "填表人", "type": "text", "required": True}]}
    data = template_file(rows=[("客户甲", 1, None)], extra={"A16": "填表人", "B16": "张三"})
    crowded = template_file(rows=[("客户%d" % n, n, None) for n in range(1, 7)], extra={"B16": "张三"})

    values, errors = read_template(data, spec)
    crowded_values, crowded_errors = read_template(crowded, spec)

    assert errors == [] and values["signer"] == "张三"
    assert crowded_values["signer"] == "张三"
    assert messages(crowded_errors) == [
        "工作表「季度意见」：表格「走访明细」最多 5 行（第 7–11 行），第 12 行起多出 1 行，请删除多出的行或分次报送"
    ]


def test_counting_rows_past_the_area_stops_at_the_cap(monkeypatch):
    monkeypatch.setattr("datacalls.workbook.MAX_EXTRA_ROWS", 2)
    data = template_file(rows=[("客户%d" % n, n, None) for n in range(1, 10)])

    values, errors = read_template(data, TEMPLATE)

    assert messages(errors) == [
        "工作表「季度意见」：表格「走访明细」最多 5 行（第 7–11 行），第 12 行起多出 2 行，请删除多出的行或分次报送"
    ]


def test_empty_rows_inside_the_area_are_dropped():
    data = template_file(rows=[("客户甲", None, None), (None, None, None), (" ", None, None), ("客户乙", None, None)])

    values, errors = read_template(data, TEMPLATE)

    assert errors == []
    assert values["visits"] == [{"client": "客户甲"}, {"client": "客户乙"}]


def test_formula_without_a_result_is_refused_and_a_cached_error_named():
    # openpyxl writes formulas without a cached result, as other programs do.
    data = template_file({"B2": "=1+1", "B4": datetime.date(2026, 3, 20)}, rows=[(None, "=B8*2", None)])

    values, errors = read_template(data, TEMPLATE)

    assert messages(errors) == ["工作表「季度意见」B2（走访客户数）：公式没有计算结果，请在 Excel 中打开、保存后再上传"]
    assert "visits" not in values  # a row of formulas alone is an unused row


def test_formula_cached_value_is_used():
    data = template_file({"B2": 12, "B3": "=B2*100", "B4": datetime.date(2026, 3, 20)})
    # Give B3's formula a cached result, as Excel saves it.
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                # openpyxl writes the empty result as <v /> or, with lxml installed, <v></v> or <v/>.
                content, found = re.subn(rb"<f>B2\*100</f><v\s*/>|<f>B2\*100</f><v></v>",
                                         b"<f>B2*100</f><v>1200</v>", content)
                assert found == 1, content
            target.writestr(item, content)

    values, errors = read_template(out.getvalue(), TEMPLATE)

    assert errors == []
    assert values["revenue"] == "1200"


def test_excel_error_value_is_named():
    data = template_file({"B2": "#DIV/0!", "B4": datetime.date(2026, 3, 20)})

    values, errors = read_template(data, TEMPLATE)

    assert messages(errors) == ["工作表「季度意见」B2（走访客户数）：公式结果出错（#DIV/0!），请改正后再上传"]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "文件不是 Excel 工作簿（.xlsx），请用下发的模板填写后上传。"),
        (b"hello, this is a text file", "文件不是 Excel 工作簿（.xlsx），请用下发的模板填写后上传。"),
        (b"PK\x03\x04garbage that is no zip", "文件已损坏，无法打开，请重新保存后上传。"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "这是旧版 Excel（.xls）文件，请另存为 .xlsx 后再上传。"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100 + "EncryptedPackage".encode("utf-16-le"),
            "文件设置了打开密码，请取消密码后再上传。",
        ),
    ],
)
def test_files_that_are_not_templates_are_refused(data, message):
    values, errors = read_template(io.BytesIO(data), TEMPLATE)

    assert values == {}
    assert messages(errors) == [message]


def test_a_zip_that_is_no_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("word/document.xml", "<w/>")

    values, errors = read_template(out.getvalue(), TEMPLATE)

    assert messages(errors) == ["文件不是 Excel 工作簿（.xlsx），请用下发的模板填写后上传。"]


def test_a_workbook_with_a_broken_part_is_refused():
    data = template_file()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                content = content[: len(content) // 2]
            target.writestr(item, content)

    values, errors = read_template(out.getvalue(), TEMPLATE)

    assert messages(errors) == ["文件已损坏，无法打开，请重新保存后上传。"]


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    out = io.BytesIO()
    data = template_file()
    source = zipfile.ZipFile(io.BytesIO(data))
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, source.read(item.filename))
        target.writestr("xl/media/padding.bin", b"\0" * (60 * 1024 * 1024))

    values, errors = read_template(out.getvalue(), TEMPLATE)

    assert len(out.getvalue()) < 1024 * 1024
    assert messages(errors) == ["文件解压后过大，请只保留模板内容后上传。"]


def test_too_large_a_file_is_refused():
    values, errors = read_template(b"PK" + b"\0" * (10 * 1024 * 1024), TEMPLATE)

    assert messages(errors) == ["文件太大（最大 10 MB），请只保留模板内容后上传。"]


def test_a_broken_spec_is_reported_not_raised():
    spec = {**TEMPLATE, "cells": [{**TEMPLATE["cells"][0], "ref": "B"}]}

    values, errors = read_template(template_file(), spec)

    assert values == {}
    assert messages(errors) == ["模板填报位置有误，请联系秘书处：「走访客户数」的单元格位置无效：B"]


def test_reads_a_path_and_a_django_upload(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(template_file())
    upload = SimpleUploadedFile("t.xlsx", template_file())

    assert read_template(path, TEMPLATE)[1] == []
    assert read_template(upload, TEMPLATE)[0]["client_count"] == "12"


# --- write_consolidation ------------------------------------------------------

FIELDS = [
    {"key": "name", "label": "联系人", "type": "text", "required": False},
    {"key": "revenue", "label": "营业收入", "type": "number", "required": False, "unit": "万元"},
    {"key": "day", "label": "日期", "type": "date", "required": False},
    {"key": "ways", "label": "方式", "type": "multichoice", "required": False, "choices": ["电话", "走访"]},
    {"key": "scan", "label": "附件", "type": "file", "required": False},
    {
        "key": "visits",
        "label": "走访明细",
        "type": "table",
        "required": False,
        "columns": [
            {"key": "client", "label": "客户", "type": "text", "required": True},
            {"key": "amount", "label": "金额", "type": "number", "required": False, "unit": "元"},
        ],
    },
]
SUBMITTED = datetime.datetime(2026, 3, 24, 2, 30, tzinfo=datetime.timezone.utc)


def answer_rows():
    return [
        AnswerRow(
            "市场部",
            "已报送",
            SUBMITTED,
            False,
            {
                "name": "=HYPERLINK(\"http://x\")",
                "revenue": "1234.5",
                "day": "2026-03-20",
                "ways": ["电话", "走访"],
                "scan": {"name": "意见.pdf", "id": 3},
                "visits": [{"client": "客户甲", "amount": "100"}, {"client": "@客户乙", "amount": "-50"}],
            },
        ),
        AnswerRow("财务部", "已报送", SUBMITTED, True, {"name": "李四", "revenue": "-20", "visits": [{"client": "客户丙"}]}),
        ("办公室", "未报送", None, False, {}),
    ]


def consolidated(template=None, fields=FIELDS, summary=True, answers=None):
    answers = answers if answers is not None else answer_rows()
    out = io.BytesIO()
    write_consolidation(
        out,
        title="2026年第一季度客户意见",
        fields=fields,
        template=template,
        answers=answers,
        watermark="示范有限公司 内部资料 · 导出人：张三 · 导出时间：2026-03-31 10:00",
        summary=summarise(fields, answers, ["市场部", "财务部", "办公室"]) if summary else None,
    )
    return openpyxl.load_workbook(io.BytesIO(out.getvalue()))


def test_first_sheet_has_one_row_per_unit_with_its_name_first():
    book = consolidated()

    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == FIRST_SHEET
    assert rows[0] == ("单位", "状态", "提交时间", "是否逾期", "联系人", "营业收入（万元）", "日期", "方式", "附件", "走访明细")
    assert [row[0] for row in rows[1:]] == ["市场部", "财务部", "办公室"]
    assert rows[1][1:4] == ("已报送", datetime.datetime(2026, 3, 24, 10, 30), None)
    assert rows[2][3] == "逾期"
    assert rows[1][5] == 1234.5 and rows[2][5] == -20
    assert rows[1][6] == datetime.datetime(2026, 3, 20)
    assert rows[1][7:] == ("电话、走访", "意见.pdf", "2 行")
    assert rows[3][1:] == ("未报送",) + (None,) * 8


def test_formula_text_stays_text():
    book = consolidated()

    cell = book.worksheets[0]["E2"]
    assert cell.value == "=HYPERLINK(\"http://x\")"
    assert cell.data_type == "s"
    assert cell.quotePrefix
    table_cell = book.worksheets[1]["C3"]
    assert (table_cell.value, table_cell.data_type) == ("@客户乙", "s")


def test_table_rows_are_stacked_with_the_unit_first():
    book = consolidated()

    sheet = book.worksheets[1]
    assert sheet.title == "走访明细"
    assert list(sheet.iter_rows(values_only=True)) == [
        ("单位", "行号", "客户", "金额（元）"),
        ("市场部", 1, "客户甲", 100),
        ("市场部", 2, "@客户乙", -50),
        ("财务部", 1, "客户丙", None),
    ]


def test_watermark_is_in_header_footer_properties_and_about_sheet():
    book = consolidated()

    mark = "示范有限公司 内部资料 · 导出人：张三 · 导出时间：2026-03-31 10:00"
    for sheet in book.worksheets:
        assert mark in sheet.oddHeader.left.text
        assert mark in sheet.oddFooter.left.text
    assert book.properties.subject == "内部资料，请勿外传"
    assert book.properties.keywords == mark
    about = {row[0]: row[1] for row in book[ABOUT_SHEET].iter_rows(values_only=True)}
    assert about["水印"] == mark
    assert about["数据行数"] == "3"


def test_summary_sheet_counts_units_and_sums_numbers():
    book = consolidated()

    rows = list(book[SUMMARY_SHEET].iter_rows(values_only=True))
    facts = {row[0]: row[1] for row in rows if row[0]}
    assert facts["应报单位"] == "3" and facts["已报单位"] == "2" and facts["未报单位"] == "1"
    assert facts["未报单位名单"] == "办公室"
    assert facts["逾期单位名单"] == "财务部"
    numbers = {row[0]: row[1:5] for row in rows if row[0] in ("营业收入", "走访明细 · 金额")}
    assert numbers == {"营业收入": ("万元", 2, 1214.5, 607.25), "走访明细 · 金额": ("元", 2, 50, 25)}
    by_unit = {row[0]: row[1:5] for row in rows if row[0] in ("市场部", "财务部", "办公室")}
    assert by_unit["市场部"] == (1, 0, 1234.5, 50)
    assert by_unit["财务部"] == (1, 1, -20, None)
    assert by_unit["办公室"] == (0, 0, None, None)


def test_summary_built_in_the_same_pass_when_not_given_and_answers_may_be_a_callable():
    book = consolidated(summary=False, answers=answer_rows)

    facts = {row[0]: row[1] for row in book[SUMMARY_SHEET].iter_rows(values_only=True) if row[0]}
    assert (facts["应报单位"], facts["已报单位"], facts["未报单位名单"]) == ("3", "2", "办公室")
    assert book.sheetnames == [FIRST_SHEET, "走访明细", SUMMARY_SHEET, ABOUT_SHEET]


def test_template_call_writes_cells_and_the_table_sheet():
    answers = [
        AnswerRow(
            "市场部",
            "已报送",
            SUBMITTED,
            False,
            {"client_count": "12", "visited_on": "2026-03-20", "visits": [{"client": "客户甲", "day": "2026-03-01"}]},
        )
    ]

    book = consolidated(template=TEMPLATE, fields=None, summary=False, answers=answers)

    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:6] == ("单位", "状态", "提交时间", "是否逾期", "走访客户数（户）", "营业收入（万元）")
    assert rows[1][4] == 12 and rows[1][6] == datetime.datetime(2026, 3, 20)
    assert list(book["走访明细"].iter_rows(values_only=True))[1] == ("市场部", 1, "客户甲", None, datetime.datetime(2026, 3, 1))


def test_values_that_no_longer_fit_the_field_are_written_as_text():
    answers = [AnswerRow("市场部", "已报送", SUBMITTED, False, {"revenue": "很多", "day": "下周", "visits": "x"})]

    book = consolidated(summary=False, answers=answers)

    row = list(book.worksheets[0].iter_rows(values_only=True))[1]
    assert row[5:7] == ("很多", "下周")


def test_sheet_names_are_made_safe_and_unique():
    fields = [
        {"key": "a", "label": "明细[1]/2026:一*?", "type": "table", "required": False, "columns": [FIELDS[0]]},
        {"key": "b", "label": "汇总", "type": "table", "required": False, "columns": [FIELDS[0]]},
    ]

    book = consolidated(fields=fields, summary=False, answers=[])

    assert book.sheetnames == [FIRST_SHEET, "明细_1__2026_一__", "汇总_2", SUMMARY_SHEET, ABOUT_SHEET]


def test_watermark_text_names_organisation_user_and_time(settings):
    settings.ORGANISATION_NAME = "示范有限公司"
    user = get_user_model()(username="zhangsan", first_name="三", last_name="张")

    text = watermark_text(user, datetime.datetime(2026, 3, 31, 2, 0, tzinfo=datetime.timezone.utc))

    assert text.startswith("示范有限公司 内部资料 · 导出人：三 张 · ")
    assert text.endswith("导出时间：2026-03-31 10:00")


NO_LIBREOFFICE = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (Debian's libreoffice-calc) is not installed")


def libreoffice_convert(path, target, outdir):
    subprocess.run(
        ["soffice", "--headless", "--norestore", "--convert-to", target, "--outdir", str(outdir), str(path)],
        check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(outdir)},
    )


@NO_LIBREOFFICE
def test_template_saved_by_libreoffice_gives_formula_results(tmp_path):
    source = tmp_path / "filled.xlsx"
    source.write_bytes(template_file({"B2": 12, "B3": "=B2*100", "B4": datetime.date(2026, 3, 20)}))
    (tmp_path / "saved").mkdir()

    libreoffice_convert(source, "xlsx", tmp_path / "saved")
    values, errors = read_template(tmp_path / "saved" / "filled.xlsx", TEMPLATE)

    assert errors == []
    assert (values["client_count"], values["revenue"], values["visited_on"]) == ("12", "1200", "2026-03-20")


@NO_LIBREOFFICE
def test_libreoffice_opens_the_consolidated_workbook(tmp_path):
    path = tmp_path / "consolidated.xlsx"
    rows = answer_rows()
    write_consolidation(
        path, title="客户意见", fields=FIELDS, template=None, answers=rows, watermark="内部资料",
        summary=summarise(FIELDS, rows, ["市场部", "财务部", "办公室"]),
    )

    libreoffice_convert(path, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path)

    with open(tmp_path / "consolidated.csv", encoding="utf-8") as converted:
        first_sheet = list(csv.reader(converted))
    assert [row[0] for row in first_sheet] == ["单位", "市场部", "财务部", "办公室"]
    assert first_sheet[1][4] == '=HYPERLINK("http://x")'
