"""The communication log workbook, read back with openpyxl."""
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from infoflow.export import HEADERS, log_queryset, log_rows, write_log
from infoflow.filters import ItemFilterForm
from infoflow.models import Confidentiality, Item, Receiver, Urgency
from tests.factories import ExternalContactFactory, ExternalUnitFactory, UserFactory
from tests.infoflow.export_helpers import local, make_item

pytestmark = pytest.mark.django_db

CONTRACT_HEADERS = [
    "信息编号", "发起部门", "发起人", "接收部门/单位", "接收人", "信息主题", "内容摘要", "紧急程度",
    "传递方式", "发起时间", "预计反馈时间", "实际反馈时间", "处理状态", "备注", "归档编号",
]


def export(tmp_path, queryset, **kwargs):
    path = tmp_path / "log.xlsx"
    count = write_log(path, queryset, **kwargs)
    book = openpyxl.load_workbook(path)
    return count, book


def data_rows(book):
    return [list(row) for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]


def cells(book):
    return list(book.worksheets[0].iter_rows(min_row=2))


def test_headers_are_the_contract_columns_in_order(tmp_path, secretary):
    count, book = export(tmp_path, Item.objects.none(), user=secretary)

    sheet = book.worksheets[0]
    assert list(HEADERS) == CONTRACT_HEADERS
    assert [c.value for c in sheet[1]] == CONTRACT_HEADERS
    assert sheet.title == "信息交流记录表"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:O2"
    assert count == 0 and data_rows(book) == []


def test_row_values_types_and_empty_cells(tmp_path, secretary, market, prod, officer_market, head_prod):
    item = make_item(
        unit=market, initiator=officer_market, number="NX-2025-00042", subject="设备检修", summary="第一行\n第二行",
        urgency=Urgency.URGENT, transmission_methods="email,phone", state=Item.State.TRANSMITTED,
        submitted_at=local(2025, 9, 30, 17, 59), expected_feedback_at=local(2025, 10, 9, 9, 30),
        receivers=[market, prod],
    )
    Receiver.objects.filter(item=item, unit=prod).update(acknowledged_by=head_prod)

    count, book = export(tmp_path, Item.objects.all(), user=secretary)

    assert count == 1
    row = cells(book)[0]
    assert [c.value for c in row] == [
        "NX-2025-00042", "市场部", "张三", "市场部、生产部", "赵六", "设备检修", "第一行\n第二行", "紧急",
        "邮件+电话", datetime.datetime(2025, 9, 30, 17, 59), datetime.datetime(2025, 10, 9, 9, 30), None,
        "待反馈", None, None,
    ]
    submitted = row[9]
    assert submitted.is_date and isinstance(submitted.value, datetime.datetime)
    assert submitted.number_format == "yyyy-mm-dd hh:mm"
    assert all(c.data_type == "s" for c in row[:9])


def test_times_follow_the_configured_time_zone(tmp_path, settings, secretary, market, officer_market):
    settings.TIME_ZONE = "Europe/Berlin"
    make_item(unit=market, initiator=officer_market, submitted_at=local(2025, 9, 30, 17, 59))

    _, book = export(tmp_path, Item.objects.all(), user=secretary)

    assert data_rows(book)[0][9] == datetime.datetime(2025, 9, 30, 11, 59)


def test_every_kind_of_receiver_is_named(tmp_path, secretary, market, prod, officer_market, officer_prod):
    contact = ExternalContactFactory(external_unit=ExternalUnitFactory(name="华东设计院"), name="冯工")
    bare = ExternalUnitFactory(name="市监局")
    make_item(unit=market, initiator=officer_market,
              receivers=[officer_prod, ("external", contact.external_unit, contact), ("external", bare), "all_staff"])

    _, book = export(tmp_path, Item.objects.all(), user=secretary)

    row = data_rows(book)[0]
    assert row[3] == "生产部、华东设计院、市监局、全体员工"
    assert row[4] == "孙八、冯工"


def test_several_receivers_in_one_department_are_named_once(tmp_path, secretary, market, prod, officer_market,
                                                              officer_prod, head_prod):
    make_item(unit=market, initiator=officer_market, receivers=[officer_prod, head_prod])
    head_prod.profile.unit = prod
    head_prod.profile.save()

    _, book = export(tmp_path, Item.objects.all(), user=secretary)

    assert data_rows(book)[0][3:5] == ["生产部", "孙八、赵六"]


def test_archived_item_shows_archive_number_and_actual_feedback(tmp_path, secretary, market, officer_market):
    make_item(unit=market, initiator=officer_market, state=Item.State.ARCHIVED, archive_number="WS-2025-D10-0007",
              actual_feedback_at=local(2025, 10, 8, 8, 5), remarks="按期办结")

    _, book = export(tmp_path, Item.objects.all(), user=secretary)

    row = data_rows(book)[0]
    assert row[11:] == [datetime.datetime(2025, 10, 8, 8, 5), "已归档", "按期办结", "WS-2025-D10-0007"]


@pytest.mark.parametrize("text", ["=1+1", "=HYPERLINK(\"http://evil\",\"x\")", "+SUM(A1:A2)", "-2+3", "@cmd",
                                  "\t=1", "\r=1", "=cmd|' /C calc'!A0"])
def test_formula_like_text_stays_text(tmp_path, secretary, market, officer_market, text):
    make_item(unit=market, initiator=officer_market, subject=text, summary=text, remarks=text)

    _, book = export(tmp_path, Item.objects.all(), user=secretary)

    row = cells(book)[0]
    # A carriage return is stored as a line feed (Excel's line break).
    expected = text.replace("\r", "\n")
    for cell in (row[5], row[6], row[13]):
        assert cell.data_type == "s"
        assert cell.value == expected
        assert cell._style.quotePrefix == 1  # Excel shows it as text even after editing


def test_plain_text_gets_no_quote_prefix(tmp_path, secretary, market, officer_market):
    make_item(unit=market, initiator=officer_market, subject="正常主题 = 1")

    _, book = export(tmp_path, Item.objects.all(), user=secretary)

    assert cells(book)[0][5]._style.quotePrefix == 0


def test_control_characters_are_removed_and_file_stays_readable(tmp_path, secretary, market, officer_market):
    # (NUL itself cannot reach PostgreSQL; clean_text is tested for it below.)
    make_item(unit=market, initiator=officer_market, subject="a\x01b\x08c\x0bd\x1fe", summary="行1\r\n行2\t尾",
              remarks="\x01\x02")

    _, book = export(tmp_path, Item.objects.all(), user=secretary)

    row = data_rows(book)[0]
    assert row[5] == "abcde"
    assert row[6] == "行1\n行2\t尾"
    assert row[13] is None  # nothing left: an empty cell


def test_clean_text_removes_what_excel_rejects_and_keeps_tabs_and_line_breaks():
    from infoflow.export import clean_text

    assert clean_text("a\x00b\x0cc\x0ed\x1f") == "abcd"
    assert clean_text("甲\r\n乙\r丙\n丁\t戊") == "甲\n乙\n丙\n丁\t戊"
    assert clean_text("正常") == "正常"


def test_watermark_in_header_footer_and_properties(tmp_path, settings, secretary, market, officer_market):
    settings.ORGANISATION_NAME = "华南建设集团 & 子公司"
    make_item(unit=market, initiator=officer_market, confidentiality=Confidentiality.INTERNAL)

    with __import__("time_machine").travel("2025-10-09 14:30+08:00", tick=False):
        _, book = export(tmp_path, Item.objects.all(), user=secretary, filters_text="紧急程度=紧急")

    sheet = book.worksheets[0]
    # "&&" is how a header shows one "&" (a lone "&" starts a header code).
    assert sheet.oddHeader.left.text == "华南建设集团 && 子公司 内部资料"
    assert "周秘书" in sheet.oddHeader.right.text and "2025-10-09 14:30" in sheet.oddHeader.right.text
    assert sheet.oddFooter.left.text == "华南建设集团 && 子公司 · 周秘书 · 2025-10-09 14:30"
    props = book.properties
    assert props.creator == "周秘书"
    assert "华南建设集团 & 子公司" in props.description and "2025-10-09 14:30" in props.description
    custom = {p.name: p.value for p in book.custom_doc_props.props}
    assert custom == {"导出单位": "华南建设集团 & 子公司", "导出人": "周秘书", "导出时间": "2025-10-09 14:30"}
    about = {r[0]: r[1] for r in book["导出说明"].iter_rows(values_only=True)}
    assert about["筛选条件"] == "紧急程度=紧急" and about["行数"] == "1"


def test_rows_are_fetched_in_chunks_with_a_fixed_number_of_queries(market, prod, officer_market):
    for _ in range(7):
        make_item(unit=market, initiator=officer_market, receivers=[market, prod])

    with CaptureQueriesContext(connection) as queries:
        rows = list(log_rows(Item.objects.order_by("pk"), chunk_size=3))

    assert len(rows) == 7
    assert all(row[3] == "市场部、生产部" for row in rows)
    assert len(queries) == 1 + 3  # the item cursor, one receiver query per chunk of 3


def test_log_is_in_submission_order_with_drafts_last(tmp_path, secretary, market, officer_market):
    make_item(unit=market, initiator=officer_market, number=None, submitted_at=None, subject="草稿",
              state=Item.State.DRAFT)
    make_item(unit=market, initiator=officer_market, subject="后", submitted_at=local(2025, 9, 2, 9, 0))
    make_item(unit=market, initiator=officer_market, subject="先", submitted_at=local(2025, 9, 1, 9, 0))

    _, book = export(tmp_path, log_queryset(None), user=secretary)

    assert [row[5] for row in data_rows(book)] == ["先", "后", "草稿"]


# -- who sees what: the export starts from items_visible_to(user) ------------

@pytest.fixture
def org_items(market, prod, finance, officer_market, officer_prod):
    own = make_item(unit=market, initiator=officer_market, subject="市场内部", receivers=[market])
    other = make_item(unit=prod, initiator=officer_prod, subject="生产内部", receivers=[prod])
    finance_item = make_item(unit=finance, initiator=UserFactory(username="fin_officer", profile__unit=finance),
                             subject="财务内部", receivers=[finance])
    secret = make_item(unit=market, initiator=officer_market, subject="限定范围", receivers=[market],
                       confidentiality=Confidentiality.RESTRICTED)
    return own, other, finance_item, secret


def _subjects(tmp_path, user, data=""):
    from django.http import QueryDict

    _, book = export(tmp_path, log_queryset(user, ItemFilterForm(QueryDict(data))), user=user)
    return {row[5] for row in data_rows(book)}


def test_head_export_never_holds_another_departments_items(tmp_path, org_items, head_market):
    subjects = _subjects(tmp_path, head_market)

    assert "生产内部" not in subjects and "财务内部" not in subjects
    assert "市场内部" in subjects


def test_export_holds_exactly_the_visible_rows(tmp_path, org_items, head_prod, secretary, officer_market, outsider):
    from infoflow.visibility import items_visible_to

    for user in (head_prod, secretary, officer_market, outsider):
        expected = set(items_visible_to(user).values_list("subject", flat=True))
        assert _subjects(tmp_path, user) == expected, user.username


def test_restricted_item_only_for_those_on_its_path(tmp_path, org_items, officer_market, officer_prod, secretary,
                                                    head_market, head_prod, outsider):
    from guardian.shortcuts import assign_perm

    secret = org_items[3]
    for user in (officer_market, officer_prod):  # the initiator and a receiver: the item's path
        assign_perm("infoflow.view_item", user, secret)

    assert "限定范围" in _subjects(tmp_path, officer_market)
    assert "限定范围" in _subjects(tmp_path, officer_prod)
    for user in (secretary, head_market, head_prod, outsider):
        assert "限定范围" not in _subjects(tmp_path, user), user.username


def test_filters_narrow_the_export_like_the_list(tmp_path, org_items, secretary, prod):
    assert _subjects(tmp_path, secretary, f"unit={prod.pk}") == {"生产内部"}
    assert _subjects(tmp_path, secretary, "q=财务") == {"财务内部"}


# -- the download view ---------------------------------------------------------

def _download(client, user, query=""):
    from django.urls import reverse

    client.force_login(user)
    response = client.get(reverse("exports:log") + query)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return response, openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_download_streams_the_filtered_visible_rows_and_audits(client, org_items, head_market, prod):
    from liaison.models import AuditEntry

    with __import__("time_machine").travel("2025-10-09 14:30+08:00", tick=False):
        response, book = _download(client, head_market, "?q=内部&urgency=normal")

    assert response.streaming
    assert "filename*=utf-8''%E4%BF%A1%E6%81%AF%E4%BA%A4%E6%B5%81%E8%AE%B0%E5%BD%95%E8%A1%A8_20251009_1430.xlsx" in (
        response["Content-Disposition"])
    assert [row[5] for row in data_rows(book)] == ["市场内部"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.user == head_market
    assert entry.detail == "信息交流记录表 1 行；筛选：关键词=内部; 紧急程度=普通"


def test_download_with_a_bad_filter_still_exports_the_valid_ones(client, org_items, secretary):
    _, book = _download(client, secretary, "?state=nonsense&q=生产")

    assert [row[5] for row in data_rows(book)] == ["生产内部"]


def test_user_who_sees_nothing_gets_only_the_headers(client, org_items, employee):
    _, book = _download(client, employee)

    assert data_rows(book) == []
    assert [c.value for c in book.worksheets[0][1]] == CONTRACT_HEADERS


def test_download_requires_login(client):
    from django.urls import reverse

    response = client.get(reverse("exports:log"))

    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_no_temporary_file_is_left_behind(client, org_items, secretary, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    _download(client, secretary)

    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".xlsx"] == []


# -- manage.py export_log --------------------------------------------------------

def test_command_exports_a_period_of_one_department(tmp_path, market, prod, officer_market, officer_prod):
    from django.core.management import call_command

    from liaison.models import AuditEntry

    make_item(unit=market, initiator=officer_market, subject="九月底", submitted_at=local(2025, 9, 30, 23, 59))
    make_item(unit=market, initiator=officer_market, subject="十月初", submitted_at=local(2025, 10, 1, 0, 0))
    make_item(unit=market, initiator=officer_market, subject="八月", submitted_at=local(2025, 8, 31, 23, 59))
    make_item(unit=prod, initiator=officer_prod, subject="生产九月", submitted_at=local(2025, 9, 15, 9, 0))
    out = io.StringIO()

    call_command("export_log", "--from", "2025-09-01", "--to", "2025-09-30", "--department", "market",
                 "-o", str(tmp_path / "log.xlsx"), stdout=out)

    book = openpyxl.load_workbook(tmp_path / "log.xlsx")
    assert [row[5] for row in data_rows(book)] == ["九月底"]
    assert out.getvalue().startswith("Wrote 1 rows to ")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.username == "manage.py" and "export_log" in entry.detail


def test_command_without_user_exports_everything_with_user_applies_visibility(tmp_path, org_items, head_market):
    from django.core.management import call_command

    for item in org_items:
        Item.objects.filter(pk=item.pk).update(submitted_at=local(2025, 9, 1, 10, 0))

    call_command("export_log", "--from", "2025-09-01", "--to", "2025-09-01", "-o", str(tmp_path / "all.xlsx"),
                 stdout=io.StringIO())
    call_command("export_log", "--from", "2025-09-01", "--to", "2025-09-01", "--user", "head_market",
                 "-o", str(tmp_path / "head.xlsx"), stdout=io.StringIO())

    everything = {row[5] for row in data_rows(openpyxl.load_workbook(tmp_path / "all.xlsx"))}
    assert everything == {"市场内部", "生产内部", "财务内部", "限定范围"}
    assert {row[5] for row in data_rows(openpyxl.load_workbook(tmp_path / "head.xlsx"))} == {"市场内部"}


@pytest.mark.parametrize("args, message", [
    (["--from", "2025-13-01", "--to", "2025-09-30"], "Invalid date"),
    (["--from", "2025-10-01", "--to", "2025-09-30"], "is after"),
    (["--from", "2025-09-01", "--to", "2025-09-30", "--department", "nope"], "No department"),
    (["--from", "2025-09-01", "--to", "2025-09-30", "--user", "nobody"], "No user"),
])
def test_command_refuses_bad_arguments(tmp_path, args, message):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match=message):
        call_command("export_log", *args, "-o", str(tmp_path / "x.xlsx"))

    assert not (tmp_path / "x.xlsx").exists()
