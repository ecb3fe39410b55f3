"""The officer roster as Excel, in the import's columns (officers/roster.py),
so HR can export, edit and import it back.

Phone numbers and e-mails are shown in full only to those who keep the roster (HR and the
secretariat, and superusers); everyone else gets them masked as 138****5678 and z***@example.com
(such a file does not import: the importer rejects a masked number).
"""
import xlsxwriter
from django.conf import settings
from django.utils import timezone

from dengbao.privacy import mask_email, mask_phone, sees_contacts
from infoflow.export import FORMULA_TRIGGERS, cell_text, user_label

from .models import Officer
from .roster import ROSTER_COLUMNS, SHEET_TITLE, officer_row

PHONE_COLUMN = [column.key for column in ROSTER_COLUMNS].index("phone")
EMAIL_COLUMN = [column.key for column in ROSTER_COLUMNS].index("email")


def sees_full_phones(user) -> bool:
    """True when ``user`` sees phone numbers and e-mails in full (dengbao.privacy)."""
    return sees_contacts(user)


def roster_officers():
    """Active officers by unit order, primary first: one query."""
    return (
        Officer.objects.filter(status=Officer.Status.ACTIVE)
        .select_related("user", "unit")
        .order_by("unit__sort_order", "unit__code", "-is_primary", "appointed_on", "pk")
    )


def roster_rows(user):
    full = sees_full_phones(user)
    for officer in roster_officers():
        row = list(officer_row(officer))
        if not full:
            row[PHONE_COLUMN] = mask_phone(row[PHONE_COLUMN])
            row[EMAIL_COLUMN] = mask_email(row[EMAIL_COLUMN])
        yield row


def write_roster(path, *, user=None, now=None) -> int:
    """Write the roster for ``user`` to ``path``; returns the number of rows."""
    now = timezone.localtime(now or timezone.now())
    stamp = now.strftime("%Y-%m-%d %H:%M")
    organisation = settings.ORGANISATION_NAME
    who = user_label(user)
    book = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties(
        {
            "title": str(SHEET_TITLE),
            "author": who,
            "company": organisation,
            "category": "内部资料",
            "comments": "%s 内部资料 · 导出人：%s · 导出时间：%s" % (organisation, who, stamp),
            "created": now.replace(tzinfo=None),
        }
    )
    sheet = book.add_worksheet(str(SHEET_TITLE)[:31])
    bold = book.add_format({"bold": True})
    # Text cells ("@"): a phone number keeps its leading zero, as in the import template.
    text = book.add_format({"num_format": "@"})
    quoted = book.add_format({"num_format": "@", "quote_prefix": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, column in enumerate(ROSTER_COLUMNS):
        sheet.set_column(col, col, column.width, day if column.key == "appointed_on" else text)
        sheet.write_string(0, col, column.header, bold)
    row_number = 0
    for row_number, values in enumerate(roster_rows(user), start=1):
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                value = cell_text(value)
                sheet.write_string(row_number, col, value, quoted if value[:1] in FORMULA_TRIGGERS else text)
            else:  # appointed_on: a real date
                sheet.write_datetime(row_number, col, value, day)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(row_number, 1), len(ROSTER_COLUMNS) - 1)
    org = organisation.replace("&", "&&")[:80]
    sheet.set_header("&L%s 内部资料&R导出人：%s %s" % (org, who.replace("&", "&&")[:40], stamp))
    sheet.set_footer("&L%s · %s · %s&R第 &P 页，共 &N 页" % (org, who.replace("&", "&&")[:40], stamp))
    book.close()
    return row_number


def roster_file_name(now=None) -> str:
    return "%s_%s.xlsx" % (SHEET_TITLE, timezone.localtime(now or timezone.now()).strftime("%Y%m%d"))
