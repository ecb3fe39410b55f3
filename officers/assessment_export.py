"""The assessment ranking as Excel: one row per officer, each criterion's
score, the adjustment and the total. Text cells are written as text, never
as formulas (infoflow.export's FORMULA_TRIGGERS and cell_text), and the
workbook carries the watermark of internal material (organisation, user,
time in the header, footer and properties), as the other exports do."""
from __future__ import annotations

from decimal import Decimal

import xlsxwriter
from django.conf import settings
from django.utils import timezone

from infoflow.export import FORMULA_TRIGGERS, _header_text, cell_text, user_label


def write_ranking(out, *, period, criteria, results, user=None, now=None) -> int:
    """Write the ranking of ``period`` to ``out`` (a path or file object);
    returns the number of officer rows."""
    now = timezone.localtime(now or timezone.now())
    stamp = now.strftime("%Y-%m-%d %H:%M")
    organisation = settings.ORGANISATION_NAME
    who = user_label(user)
    book = xlsxwriter.Workbook(out, {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True})
    book.set_properties({
        "title": period.title, "author": who, "company": organisation, "category": "内部资料",
        "comments": "%s 内部资料 · 导出人：%s · 导出时间：%s" % (organisation, who, stamp),
        "created": now.replace(tzinfo=None),
    })
    sheet = book.add_worksheet("考评排名")
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    quoted = book.add_format({"quote_prefix": True})
    number = book.add_format({"num_format": "0.0"})
    headers = ["名次", "联络员", "账号", "单位"] + [c.name for c in criteria] + ["调整分", "总分", "是否合格", "年度优秀联络员"]
    for col, header in enumerate(headers):
        sheet.write_string(0, col, cell_text(header), bold)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 3, 14)
    sheet.set_column(4, len(headers) - 1, 10)

    def text(row, col, value):
        value = cell_text(str(value or ""))
        if value:
            sheet.write_string(row, col, value, quoted if value[:1] in FORMULA_TRIGGERS else None)

    count = 0
    for count, result in enumerate(results, start=1):
        sheet.write_number(count, 0, result.rank or 0)
        text(count, 1, result.user.get_full_name() or result.user.username)
        text(count, 2, result.user.username)
        text(count, 3, result.unit.name)
        for offset, criterion in enumerate(criteria):
            part = result.parts.get(criterion.code) or {}
            sheet.write_number(count, 4 + offset, float(Decimal(part.get("score") or 0)), number)
        col = 4 + len(criteria)
        sheet.write_number(count, col, float(result.adjustment), number)
        sheet.write_number(count, col + 1, float(result.total), number)
        text(count, col + 2, "" if result.passed is None else ("合格" if result.passed else "不合格"))
        text(count, col + 3, "是" if result.excellent else "")
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(count, 1), len(headers) - 1)
    org, whom = _header_text(organisation), _header_text(who)
    sheet.set_header("&L%s 内部资料&C%s&R导出人：%s %s" % (org, _header_text(period.title), whom, stamp))
    sheet.set_footer("&L%s · %s · %s&R第 &P 页，共 &N 页" % (org, whom, stamp))
    book.close()
    return count
