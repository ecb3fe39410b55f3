"""Excel downloads: the catalogue (目录), the four-property report and the
destruction list (销毁清册). XlsxWriter in constant-memory mode; text a user
typed is written with write_string, so it is never evaluated as a formula;
times are real Excel date-times in the configured time zone."""
import tempfile

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from infoflow.export import FORMULA_TRIGGERS, cell_text
from liaison.sheetmark import sheet_marks

from .models import Importance, Retention

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _workbook(headers, rows, sheet_name, widths=None, *, user=None):
    handle = tempfile.TemporaryFile()
    book = xlsxwriter.Workbook(handle, {"constant_memory": True, "in_memory": False})
    sheet = book.add_worksheet(sheet_name)
    header, footer = sheet_marks(user)  # issue 18 §4: organisation, user and time
    sheet.set_header(header)
    sheet.set_footer(footer)
    bold = book.add_format({"bold": True})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    quoted = book.add_format({"quote_prefix": True})
    for col, title in enumerate(headers):
        sheet.write_string(0, col, str(title), bold)
        sheet.set_column(col, col, (widths or {}).get(col, 16))
    for r, row in enumerate(rows, 1):
        for col, value in enumerate(row):
            if value is None or value == "":
                sheet.write_blank(r, col, None)
            elif hasattr(value, "hour"):
                sheet.write_datetime(r, col, _local(value), when)
            elif hasattr(value, "isoformat"):
                sheet.write_datetime(r, col, value, day)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(r, col, value)
            else:
                # A cell over Excel's limit ends with the "full text in the system" marker.
                text = cell_text(str(value))
                sheet.write_string(r, col, text, quoted if text[:1] in FORMULA_TRIGGERS else None)
    book.close()
    handle.seek(0)
    return handle


def _response(handle, name):
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(handle, as_attachment=True, filename="%s-%s.xlsx" % (name, stamp), content_type=XLSX)


# Marked for extraction here; translated where the sheet is written (``_(h)``).
CATALOGUE_HEADERS = (
    gettext_noop("归档编号"), gettext_noop("档号"), gettext_noop("题名"), gettext_noop("一级分类"), gettext_noop("二级分类"),
    gettext_noop("年月"), gettext_noop("发起部门"), gettext_noop("重要程度"), gettext_noop("保管期限"),
    gettext_noop("保管到期日"), gettext_noop("办结时间"), gettext_noop("归档时间"), gettext_noop("纸质原件存放位置"),
    gettext_noop("状态"),
)


def catalogue_rows(records):
    importance = dict(Importance.choices)
    retention = dict(Retention.choices)
    for r in records.iterator(chunk_size=1000):
        yield (r.number, r.fonds_code, r.subject, r.class_top, r.class_mid, r.class_date, r.unit.name,
               str(importance.get(r.importance, r.importance)), str(retention.get(r.retention, r.retention)),
               r.retention_until, r.completed_at, r.archived_at, r.paper_location, r.get_state_display())


def catalogue_response(records, *, user=None):
    headers = [_(h) for h in CATALOGUE_HEADERS]
    return _response(_workbook(headers, catalogue_rows(records), _("档案目录"), {2: 40}, user=user), "archive-catalogue")


def _mark(check):
    if check.ok is None:
        return "；".join(check.notes) or _("未检测")
    return (_("通过") if check.ok else _("不通过")) + ("：" + "；".join(check.notes) if check.notes else "")


def report_response(rows, *, user=None):
    headers = [_("归档编号"), _("题名"), _("真实性"), _("完整性"), _("可用性"), _("安全性")]
    data = ((row["record"].number, row["record"].subject, _mark(row["authenticity"]), _mark(row["integrity"]),
             _mark(row["usability"]), _mark(row["security"])) for row in rows)
    return _response(_workbook(headers, data, _("四性检测"), {1: 40, 2: 24, 3: 30, 4: 30, 5: 24},
                                   user=user), "archive-four-properties")


DESTRUCTION_HEADERS = (
    gettext_noop("归档编号"), gettext_noop("题名"), gettext_noop("分类"), gettext_noop("办结时间"), gettext_noop("归档时间"),
    gettext_noop("保管期限"), gettext_noop("保管到期日"), gettext_noop("提出人"), gettext_noop("审批人"), gettext_noop("监销人"),
    gettext_noop("销毁时间"),
)


def destruction_response(entries, *, user=None):
    retention = dict(Retention.choices)
    data = ((e.number, e.subject, e.classification, e.completed_at, e.archived_at,
             str(retention.get(e.retention, e.retention)), e.retention_until, e.proposer, e.approver,
             e.supervisors, e.destroyed_at) for e in entries.iterator())
    return _response(_workbook([_(h) for h in DESTRUCTION_HEADERS], data, _("销毁清册"), {1: 40, 2: 30}, user=user),
                     "destruction-list")
