"""A cell longer than Excel's limit ends with a visible marker in every
workbook the product writes (issue 10 §5)."""
import openpyxl

from archive.exports import _workbook
from infoflow.export import CUT_MARKER, EXCEL_CELL_LIMIT, LogWriter, cell_text


def test_a_long_text_is_cut_to_the_cell_limit_with_the_marker():
    text = "摘" * 40000

    cut = cell_text(text)

    assert len(cut) == EXCEL_CELL_LIMIT == 32767
    assert cut.endswith("…（全文见系统）")
    assert cut.startswith("摘" * 100)


def test_a_text_at_the_limit_is_kept_whole():
    text = "a" * EXCEL_CELL_LIMIT

    assert cell_text(text) == text


def test_the_log_writer_marks_a_cut_summary(tmp_path):
    path = tmp_path / "log.xlsx"
    summary = "内容" * 20000
    with LogWriter(str(path)) as writer:
        writer.write([["N-1", "部门", "人", "", "", "主题", summary, "一般", "", None, None, None, "草稿", "", ""]])

    sheet = openpyxl.load_workbook(path).active
    cell = sheet.cell(row=2, column=7).value
    assert len(cell) == 32767
    assert cell.endswith(CUT_MARKER)
    assert sheet.cell(row=2, column=6).value == "主题"


def test_the_archive_workbook_marks_a_cut_cell_and_keeps_formulas_as_text():
    handle = _workbook(["题名", "说明"], [["=1+1", "长" * 33000]], "目录")

    sheet = openpyxl.load_workbook(handle).active
    assert sheet.cell(row=2, column=1).value == "=1+1"
    assert sheet.cell(row=2, column=1).data_type == "s"
    assert sheet.cell(row=2, column=2).value.endswith(CUT_MARKER)
