"""The per-department on-time summary in Excel (issue 7 §5, from the
deadlines issue's on-time page): the same figures as the page."""
import xlsxwriter
from django.conf import settings
from django.utils import timezone

from .export import _header_text, cell_text, user_label

HEADERS = ["部门", "审核环节数", "按时审核数", "审核按时率(%)", "反馈数", "按时反馈数", "反馈按时率(%)"]


def write_ontime(path, report, *, user, start_day, end_day, now=None) -> int:
    """Write ``report`` (infoflow.ontime.OnTimeReport) to ``path``; returns
    the number of department rows. Department names are written as strings,
    never as formulas; rates are numbers (empty when nothing was due)."""
    now = timezone.localtime(now or timezone.now())
    who, organisation = user_label(user), settings.ORGANISATION_NAME
    stamp = now.strftime("%Y-%m-%d %H:%M")
    book = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"title": "按时办理情况", "author": who, "company": organisation,
                         "comments": "%s 内部资料 · 导出人：%s · 导出时间：%s" % (organisation, who, stamp)})
    sheet = book.add_worksheet("按时办理情况")
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = book.add_format({"quote_prefix": True})
    percent = book.add_format({"num_format": "0.0"})
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 6, 13)
    for col, header in enumerate(HEADERS):
        sheet.write_string(0, col, header, bold)
    sheet.freeze_panes(1, 0)
    sheet.set_header("&L%s 内部资料&R导出人：%s %s" % (_header_text(organisation), _header_text(who), stamp))
    sheet.set_footer("&L统计期间：%s 至 %s&R第 &P 页" % (start_day.isoformat(), end_day.isoformat()))
    rows = list(report.units)
    for row, unit in enumerate(rows, start=1):
        sheet.write_string(row, 0, cell_text(unit.name), text)
        sheet.write_number(row, 1, unit.review_total)
        sheet.write_number(row, 2, unit.review_on_time)
        if unit.review_rate is not None:
            sheet.write_number(row, 3, unit.review_rate, percent)
        sheet.write_number(row, 4, unit.feedback_total)
        sheet.write_number(row, 5, unit.feedback_on_time)
        if unit.feedback_rate is not None:
            sheet.write_number(row, 6, unit.feedback_rate, percent)
    total_row = len(rows) + 1
    sheet.write_string(total_row, 0, "合计", bold)
    sheet.write_number(total_row, 1, report.review_total)
    sheet.write_number(total_row, 3, report.review_rate, percent) if report.review_rate is not None else None
    sheet.write_number(total_row, 4, report.feedback_total)
    sheet.write_number(total_row, 6, report.feedback_rate, percent) if report.feedback_rate is not None else None
    sheet.autofilter(0, 0, max(len(rows), 1), len(HEADERS) - 1)
    book.close()
    return len(rows)
