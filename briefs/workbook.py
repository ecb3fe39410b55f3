"""The monthly publication summary as an Excel workbook (openpyxl write-only;
opens in Excel, WPS and LibreOffice Calc). Text typed by users (subjects,
channel and department names) is written as text, never as a formula."""
from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from liaison.sheetmark import mark_openpyxl_sheet

from .models import AdoptionLevel


def _cell(ws, value, bold=False):
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # "=…" typed by a user stays text
    if bold:
        cell.font = Font(bold=True)
    return cell


def _row(ws, values, bold=False):
    ws.append([_cell(ws, v, bold) for v in values])


def _sheet(book, user, now, title):
    sheet = book.create_sheet(title)
    mark_openpyxl_sheet(sheet, user, now)
    return sheet


def summary_workbook(summary: dict, *, user=None, now=None) -> bytes:
    """The .xlsx bytes of ``summary`` (briefs.summary.month_summary): sheets
    发布渠道, 部门, 发布明细, 简报, each with the watermark header/footer naming the
    organisation, ``user`` and ``now`` (issue 18 §4, liaison.sheetmark)."""
    book = Workbook(write_only=True)
    ws = _sheet(book, user, now, _("发布渠道"))
    _row(ws, [_("信息发布月度汇总 %(month)s") % {"month": summary["month"]}], bold=True)
    _row(ws, [_("渠道"), _("发布条数"), _("浏览次数")], bold=True)
    for c in summary["channels"]:
        _row(ws, [c["name"], c["records"], c["views"]])
    _row(ws, [_("合计"), summary["totals"]["records"], summary["totals"]["views"]], bold=True)
    _row(ws, [])
    _row(ws, [_("采用级别"), _("条数")], bold=True)
    for level, label in AdoptionLevel.choices:
        _row(ws, [str(label), summary["adoption"][level]])
    _row(ws, [_("合计"), summary["adoption"]["total"]], bold=True)

    ws = _sheet(book, user, now, _("部门"))
    _row(ws, [_("部门"), _("发布信息数"), _("读者反馈"), _("部门采用"), _("公司采用"), _("对外发布/报送"),
              _("采用合计")], bold=True)
    for d in summary["departments"]:
        _row(ws, [d["unit"], d["released"], d["feedback"], d["department"], d["organisation"], d["publication"],
                  d["adopted"]])

    ws = _sheet(book, user, now, _("发布明细"))
    names = summary["channel_names"]
    _row(ws, [_("信息编号"), _("信息主题"), _("部门"), _("首次发布时间")] + names + [_("浏览合计"), _("读者反馈")],
         bold=True)
    for r in summary["releases"]:
        when = timezone.localtime(r["released_at"]).strftime("%Y-%m-%d %H:%M") if r["released_at"] else ""
        _row(ws, [r["number"] or "", r["subject"], r["unit"], when]
             + [r["channels"].get(n, "") for n in names] + [r["views"], r["feedback"]])

    ws = _sheet(book, user, now, _("简报"))
    _row(ws, [_("刊名"), _("期号"), _("出刊日期"), _("信息条数")], bold=True)
    for issue in summary["issues"]:
        _row(ws, [issue.title, issue.number_label, issue.issue_date.isoformat() if issue.issue_date else "",
                  issue.entry_count])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
