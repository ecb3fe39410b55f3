"""The communication log (信息交流记录表) as an Excel workbook.

One row per item, the 15 columns of the contract in order. The writer is
XlsxWriter in constant-memory mode: bench/export.py measured it against
openpyxl's write-only mode on the same values and it was the faster of the two
(openpyxl without lxml wrote about 1,900 rows/s, XlsxWriter about 4,600).
Rows come from the database in chunks of CHUNK_SIZE: the items through one
streaming cursor, and per chunk one query for the chunk's receivers, so the
number of queries grows with the chunks and memory does not grow with rows
(it holds one chunk: about 7 MiB at 2,000 rows in bench/export.py).

Safety (issue 7):
- strings are written with write_string only, never write(): nothing a user
  typed can become a formula; a string that Excel or a CSV re-save would read
  as a formula (leading = + - @, tab, CR) also gets the quote-prefix format,
  so Excel shows it as text even after the cell is edited;
- control characters Excel rejects are removed;
- the workbook names the organisation, the user and the time in the page
  header, footer and document properties (the watermark of internal
  material; written on every log workbook, since a log almost always holds
  internal items and a public-only one loses nothing by it).
"""
import datetime
import re

import xlsxwriter
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F
from django.utils import timezone, translation

from .export_scope import scoped_item_ids
from .models import Item, Outcome, Receiver, TransmissionMethod, Urgency
from .visibility import items_visible_to

# The contract's headers: data of the sheet, identical in every UI language.
HEADERS = (
    "信息编号",
    "发起部门",
    "发起人",
    "接收部门/单位",
    "接收人",
    "信息主题",
    "内容摘要",
    "紧急程度",
    "传递方式",
    "发起时间",
    "预计反馈时间",
    "实际反馈时间",
    "处理状态",
    "备注",
    "归档编号",
)
WIDTHS = (16, 14, 10, 24, 16, 32, 48, 8, 16, 17, 17, 17, 10, 24, 16)
DATETIME_COLUMNS = (9, 10, 11)
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
SHEET_TITLE = "信息交流记录表"
CHUNK_SIZE = 2000

# Characters Excel refuses in cell text (XML 1.0 forbids them); \t and \n
# stay. A carriage return is matched too: it becomes a line feed (Excel's line
# break; in the file a CR would have to be stored as the escape _x000D_).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f]")
_REJECTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Leading characters that make Excel or LibreOffice (or a CSV re-save) treat
# text as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")  # \r arrives as \n (clean_text)

_ITEM_FIELDS = (
    "pk",
    "number",
    "unit__name",
    "initiator__first_name",
    "initiator__last_name",
    "initiator__username",
    "subject",
    "summary",
    "urgency",
    "transmission_methods",
    "submitted_at",
    "expected_feedback_at",
    "actual_feedback_at",
    "state",
    "remarks",
    "archive_number",
)
_RECEIVER_FIELDS = (
    "item_id",
    "kind",
    "unit__name",
    "user__first_name",
    "user__last_name",
    "user__username",
    "user__profile__unit__name",
    "external_unit__name",
    "contact__name",
    "acknowledged_by__first_name",
    "acknowledged_by__last_name",
    "acknowledged_by__username",
    "outcome",
)


def clean_text(value: str) -> str:
    """``value`` without the control characters Excel rejects, line ends as \\n."""
    if _CONTROL.search(value):
        return _REJECTED.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return value


# Excel holds at most 32,767 characters in a cell; XlsxWriter silently cuts a
# longer string. A cut cell ends with this marker so a reader knows the text
# goes on (issue 10 §5); the forms keep typed text well below the limit.
EXCEL_CELL_LIMIT = 32767
CUT_MARKER = "…（全文见系统）"


def cell_text(value: str) -> str:
    """``value`` as Excel can hold it in one cell: control characters removed
    and, if longer than the cell limit, cut with CUT_MARKER at its end."""
    value = clean_text(value)
    if len(value) > EXCEL_CELL_LIMIT:
        return value[: EXCEL_CELL_LIMIT - len(CUT_MARKER)] + CUT_MARKER
    return value


def _name(first, last, username):
    # Same as User.get_full_name(), falling back to the user name.
    return ("%s %s" % (first, last)).strip() or username or ""


def _labels():
    """Code → Chinese label maps (the log is Chinese whatever the UI language)."""
    with translation.override("zh-hans"):
        return (
            {k: str(v) for k, v in Urgency.choices},
            {k: str(v) for k, v in Item.State.choices},
            {k: str(v) for k, v in TransmissionMethod.choices},
            str(Receiver.Kind.ALL_STAFF.label),
        )


def _with_outcomes(remarks, outcomes):
    """The 备注 cell: the item's remarks, then "办理结果：市场部：已办结；…"."""
    if not outcomes:
        return remarks
    text = "办理结果：" + "；".join(outcomes)
    return "%s\n%s" % (remarks, text) if remarks else text


def _join(values, sep):
    seen = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return sep.join(seen)


def log_queryset(user=None, form=None, scope=""):
    """The items of the log: what ``user`` may see (everything when None: the
    admin command), narrowed to the list ``scope`` the export was asked from
    (infoflow.export_scope) and by the list filter ``form``, in the log's
    order (oldest submission first, drafts last)."""
    if user is None:
        queryset = Item.objects.all()
    else:
        queryset = items_visible_to(user)
        if scope:
            ids = scoped_item_ids(user, scope)
            if ids is not None:
                queryset = queryset.filter(pk__in=ids)
    if form is not None:
        queryset = form.filter(queryset)
    return queryset.order_by(F("submitted_at").asc(nulls_last=True), "pk")


def _item_chunks(queryset, chunk_size):
    """The item columns in lists of ``chunk_size`` rows, through one streaming
    cursor (a server-side cursor on PostgreSQL).

    The SQL is the queryset's own, run on a plain cursor: the ORM's per-value
    converters (parse, make aware) took a third of the row time in
    bench/export.py, and the three datetimes need one conversion to local time
    anyway (see ``log_rows``)."""
    values = queryset.values_list(*_ITEM_FIELDS)
    try:
        sql, params = values.query.get_compiler(values.db).as_sql()
    except EmptyResultSet:  # e.g. Item.objects.none(): no query at all
        return
    with connections[values.db].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            rows = cursor.fetchmany(chunk_size)
            if not rows:
                return
            yield rows


def log_rows(queryset, *, chunk_size=CHUNK_SIZE):
    """Yield one 15-value tuple per item of ``queryset`` (strings, naive local
    datetimes, None for an empty cell)."""
    urgency_labels, state_labels, method_labels, all_staff = _labels()
    with translation.override("zh-hans"):
        outcome_labels = {k: str(v) for k, v in Outcome.choices}
    tz = timezone.get_default_timezone()
    utc = datetime.timezone.utc
    methods_cache = {}

    def local(moment):
        # Raw values: naive UTC on SQLite, aware on PostgreSQL.
        if moment is None:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=utc)
        return moment.astimezone(tz).replace(tzinfo=None)

    def methods_text(codes):
        text = methods_cache.get(codes)
        if text is None:
            text = methods_cache[codes] = "+".join(method_labels.get(m, m) for m in codes.split(",") if m)
        return text

    for chunk in _item_chunks(queryset, chunk_size):
        receivers = {}
        rows = (
            Receiver.objects.filter(item_id__in=[row[0] for row in chunk])
            .order_by("item_id", "pk")
            .values_list(*_RECEIVER_FIELDS)
        )
        outcomes = {}
        for (item_id, kind, unit, u_first, u_last, u_name, u_unit, ext, contact, a_first, a_last, a_name,
             outcome) in rows:
            if kind == Receiver.Kind.UNIT:
                where, who = unit, _name(a_first, a_last, a_name) if a_name else ""
            elif kind == Receiver.Kind.USER:
                where, who = u_unit, _name(u_first, u_last, u_name)
            elif kind == Receiver.Kind.EXTERNAL:
                where, who = ext, contact
            else:
                where, who = all_staff, ""
            pair = receivers.setdefault(item_id, ([], []))
            pair[0].append(where)
            pair[1].append(who)
            if outcome:
                outcomes.setdefault(item_id, []).append("%s：%s" % (where, outcome_labels.get(outcome, outcome)))
        for (pk, number, unit, i_first, i_last, i_name, subject, summary, urgency, methods,
             submitted, expected, actual, state, remarks, archive_number) in chunk:
            wheres, whos = receivers.get(pk, ((), ()))
            yield (
                number,
                unit,
                _name(i_first, i_last, i_name),
                _join(wheres, "、"),
                _join(whos, "、"),
                subject,
                summary,
                urgency_labels.get(urgency, urgency),
                methods_text(methods),
                local(submitted),
                local(expected),
                local(actual),
                state_labels.get(state, state),
                # The answers' outcome codes (issue 19 §8) after the remarks: the contract's 15 columns stay.
                _with_outcomes(remarks, outcomes.get(pk)),
                archive_number,
            )


def _header_text(value: str) -> str:
    # In header/footer codes "&" starts a code; keep the limit of 255 chars.
    return clean_text(value).replace("&", "&&")[:80]


def user_label(user) -> str:
    if user is None:
        return "manage.py"
    return user.get_full_name() or user.get_username()


class LogWriter:
    """Writes log rows to ``path`` (an .xlsx file). Use as a context manager
    or call close(); ``write(rows)`` may be called repeatedly."""

    def __init__(self, path, *, user=None, filters_text="", now=None, title=SHEET_TITLE):
        self.now = timezone.localtime(now or timezone.now())
        self.user_text = user_label(user)
        self.filters_text = filters_text
        self.book = xlsxwriter.Workbook(
            path,
            {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
        )
        organisation = settings.ORGANISATION_NAME
        stamp = self.now.strftime("%Y-%m-%d %H:%M")
        self.book.set_properties(
            {
                "title": title,
                "subject": "内部资料，请勿外传",
                "author": self.user_text,
                "manager": organisation,
                "company": organisation,
                "category": "内部资料",
                "keywords": "%s, %s, %s" % (organisation, self.user_text, stamp),
                "comments": "%s 内部资料 · 导出人：%s · 导出时间：%s" % (organisation, self.user_text, stamp),
                "created": self.now.replace(tzinfo=None),
            }
        )
        self.book.set_custom_property("导出单位", organisation)
        self.book.set_custom_property("导出人", self.user_text)
        self.book.set_custom_property("导出时间", stamp)
        self.sheet = self.book.add_worksheet(title[:31])
        self.date_format = self.book.add_format({"num_format": DATETIME_FORMAT})
        self.text_format = self.book.add_format({"quote_prefix": True})
        header_format = self.book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        sheet = self.sheet
        for col, width in enumerate(WIDTHS):
            sheet.set_column(col, col, width, self.date_format if col in DATETIME_COLUMNS else None)
        for col, header in enumerate(HEADERS):
            sheet.write_string(0, col, header, header_format)
        sheet.freeze_panes(1, 0)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0)
        org, who = _header_text(organisation), _header_text(self.user_text)
        sheet.set_header("&L%s 内部资料&C%s&R导出人：%s %s" % (org, _header_text(title), who, stamp))
        sheet.set_footer("&L%s · %s · %s&R第 &P 页，共 &N 页" % (org, who, stamp))
        self.row = 1

    def write(self, rows, progress=None, every=CHUNK_SIZE):
        """Write ``rows`` (iterables of 15 values); call ``progress(n)`` with the
        running row count every ``every`` rows. Returns the running count."""
        sheet = self.sheet
        write_string = sheet.write_string
        write_datetime = sheet.write_datetime
        write_number = sheet.write_number
        date_format, text_format = self.date_format, self.text_format
        triggers = FORMULA_TRIGGERS
        control = _CONTROL
        row = self.row
        datetime_type = datetime.datetime
        for values in rows:
            col = 0
            for value in values:
                if value is None or value == "":
                    pass
                elif value.__class__ is str:
                    if control.search(value) or len(value) > EXCEL_CELL_LIMIT:
                        value = cell_text(value)
                        if not value:
                            col += 1
                            continue
                    if value[0] in triggers:
                        write_string(row, col, value, text_format)
                    else:
                        write_string(row, col, value)
                elif isinstance(value, datetime_type):
                    write_datetime(row, col, value, date_format)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    write_number(row, col, value)
                else:
                    write_string(row, col, cell_text(str(value)))
                col += 1
            row += 1
            if progress is not None and (row - 1) % every == 0:
                progress(row - 1)
        self.row = row
        return row - 1

    @property
    def count(self):
        return self.row - 1

    def close(self):
        last = max(self.row - 1, 1)
        self.sheet.autofilter(0, 0, last, len(HEADERS) - 1)
        about = self.book.add_worksheet("导出说明")
        about.set_column(0, 0, 14)
        about.set_column(1, 1, 60)
        facts = (
            ("单位", settings.ORGANISATION_NAME),
            ("导出人", self.user_text),
            ("导出时间", self.now.strftime("%Y-%m-%d %H:%M")),
            ("筛选条件", self.filters_text or "无"),
            ("行数", str(self.count)),
            ("说明", "内部资料，请勿外传。"),
        )
        for row, (key, value) in enumerate(facts):
            about.write_string(row, 0, key)
            value = clean_text(value)
            about.write_string(row, 1, value, self.text_format if value[:1] in FORMULA_TRIGGERS else None)
        self.book.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False


def write_log(path, queryset, *, user=None, filters_text="", now=None, progress=None, chunk_size=CHUNK_SIZE) -> int:
    """Write the log of ``queryset`` (already visible to and filtered for the
    user) to ``path``; returns the number of rows."""
    with LogWriter(path, user=user, filters_text=filters_text, now=now) as writer:
        writer.write(log_rows(queryset, chunk_size=chunk_size), progress=progress, every=chunk_size)
    return writer.count


def export_file_name(now=None) -> str:
    moment = timezone.localtime(now or timezone.now())
    return "%s_%s.xlsx" % (SHEET_TITLE, moment.strftime("%Y%m%d_%H%M"))

