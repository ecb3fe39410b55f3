"""The watermark of an .xlsx export: organisation, user and time in every
sheet's printed header and footer (issue 18 §4, the communication-log export's
wording in infoflow/export.py, reused by the other workbooks).

``sheet_marks(user, now)`` answers the header and footer codes as Excel (and
XlsxWriter's ``set_header``/``set_footer``, openpyxl's ``oddHeader``) take
them; ``mark_openpyxl_sheet`` sets them on an openpyxl worksheet;
``csv_mark`` is the same watermark as the first line of a CSV file.
"""
import datetime
import re
from typing import Optional

from django.conf import settings
from django.utils import timezone

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _code_text(value: str) -> str:
    # In header/footer codes "&" starts a code; each part must stay under 255 chars in all.
    return _CONTROL.sub("", str(value)).replace("&", "&&")[:60]


def exporter_label(user) -> str:
    """``姓名（用户名）`` of ``user`` (the username alone when no name), ``manage.py`` for ``None``."""
    if user is None:
        return "manage.py"
    name = user.get_full_name() or user.get_username()
    return "%s（%s）" % (name, user.get_username()) if name != user.get_username() else name


def sheet_marks(user, now: Optional[datetime.datetime] = None) -> tuple[str, str]:
    """``(header, footer)`` codes naming settings.ORGANISATION_NAME, ``user`` and ``now``
    (local time, default now): ``&L<组织> 内部资料&R导出人：<用户> <YYYY-MM-DD HH:MM>`` and
    ``&L<组织> · <用户> · <时间>&R第 &P 页，共 &N 页``."""
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y-%m-%d %H:%M")
    org, who = _code_text(settings.ORGANISATION_NAME), _code_text(exporter_label(user))
    return ("&L%s 内部资料&R导出人：%s %s" % (org, who, stamp),
            "&L%s · %s · %s&R第 &P 页，共 &N 页" % (org, who, stamp))


def mark_openpyxl_sheet(sheet, user, now: Optional[datetime.datetime] = None) -> None:
    """Set the watermark header and footer (``sheet_marks``) on an openpyxl worksheet
    (also a write-only one: call before the first row is appended)."""
    org, who = _code_text(settings.ORGANISATION_NAME), _code_text(exporter_label(user))
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y-%m-%d %H:%M")
    sheet.oddHeader.left.text = "%s 内部资料" % org
    sheet.oddHeader.right.text = "导出人：%s %s" % (who, stamp)
    sheet.oddFooter.left.text = "%s · %s · %s" % (org, who, stamp)
    sheet.oddFooter.right.text = "第 &P 页，共 &N 页"


def csv_mark(user, now: Optional[datetime.datetime] = None) -> str:
    """The watermark line of a CSV export (one cell, written before the column
    headings; a CSV has no header/footer): ``# <组织> 内部资料 · 导出人：<用户> ·
    <YYYY-MM-DD HH:MM>`` (local time, default now)."""
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y-%m-%d %H:%M")
    org = _CONTROL.sub("", str(settings.ORGANISATION_NAME))
    who = _CONTROL.sub("", exporter_label(user))
    return "# %s 内部资料 · 导出人：%s · %s" % (org, who, stamp)
