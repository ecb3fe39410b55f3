"""The monthly publication summary as an Excel workbook (XlsxWriter;
opens in Excel, WPS and LibreOffice Calc). Text typed by users (subjects,
channel and department names) is written as text, never as a formula."""
from __future__ import annotations

import io

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.sheetmark import sheet_marks

from .models import AdoptionLevel


class _Sheet:
    """One worksheet written row by row (XlsxWriter): text as text (a
    subject typed as "=…" stays a string), numbers as numbers, a heading row
    bold; the watermark header and footer set before the first row."""

    def __init__(self, book, title, marks, bold):
        self.sheet = book.add_worksheet(title)
        self.sheet.set_header(marks[0])
        self.sheet.set_footer(marks[1])
        self.bold = bold
        self.row = 0

    def add(self, values, bold=False):
        style = self.bold if bold else None
        write_string, write_number, write = self.sheet.write_string, self.sheet.write_number, self.sheet.write
        for col, value in enumerate(values):
            if isinstance(value, str):
                write_string(self.row, col, value, style)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                write_number(self.row, col, value, style)
            elif value is not None:
                write(self.row, col, value, style)
        self.row += 1


def summary_workbook(summary: dict, *, user=None, now=None) -> bytes:
    """The .xlsx bytes of ``summary`` (briefs.summary.month_summary): sheets
    发布渠道, 部门, 发布明细, 简报, each with the watermark header/footer naming the
    organisation, ``user`` and ``now`` (issue 18 §4, liaison.sheetmark).

    Written with XlsxWriter row by row (openpyxl's write-only cells cost the
    .xlsx page about twice its rendering; issue 12); the same sheets, rows,
    text and number cells and bold headings."""
    out = io.BytesIO()
    # in_memory: a month's few hundred rows; constant_memory's temporary files measured twice as slow here.
    book = xlsxwriter.Workbook(out, {"strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False, "in_memory": True})
    marks = sheet_marks(user, now)
    bold = book.add_format({"bold": True})

    ws = _Sheet(book, _("发布渠道"), marks, bold)
    ws.add([_("信息发布月度汇总 %(month)s") % {"month": summary["month"]}], bold=True)
    ws.add([_("渠道"), _("发布条数"), _("浏览次数")], bold=True)
    for c in summary["channels"]:
        ws.add([c["name"], c["records"], c["views"]])
    ws.add([_("合计"), summary["totals"]["records"], summary["totals"]["views"]], bold=True)
    ws.add([])
    ws.add([_("采用级别"), _("条数")], bold=True)
    for level, label in AdoptionLevel.choices:
        ws.add([str(label), summary["adoption"][level]])
    ws.add([_("合计"), summary["adoption"]["total"]], bold=True)

    ws = _Sheet(book, _("部门"), marks, bold)
    ws.add([_("部门"), _("发布信息数"), _("读者反馈"), _("部门采用"), _("公司采用"), _("对外发布/报送"),
            _("采用合计")], bold=True)
    for d in summary["departments"]:
        ws.add([d["unit"], d["released"], d["feedback"], d["department"], d["organisation"], d["publication"],
                d["adopted"]])

    ws = _Sheet(book, _("发布明细"), marks, bold)
    names = summary["channel_names"]
    ws.add([_("信息编号"), _("信息主题"), _("部门"), _("首次发布时间")] + names + [_("浏览合计"), _("读者反馈")],
           bold=True)
    for r in summary["releases"]:
        when = timezone.localtime(r["released_at"]).strftime("%Y-%m-%d %H:%M") if r["released_at"] else ""
        ws.add([r["number"] or "", r["subject"], r["unit"], when]
               + [r["channels"].get(n, "") for n in names] + [r["views"], r["feedback"]])

    ws = _Sheet(book, _("简报"), marks, bold)
    ws.add([_("刊名"), _("期号"), _("出刊日期"), _("信息条数")], bold=True)
    for issue in summary["issues"]:
        ws.add([issue.title, issue.number_label, issue.issue_date.isoformat() if issue.issue_date else "",
                issue.entry_count])
    book.close()
    return out.getvalue()
