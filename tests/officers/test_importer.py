"""Roster import from Excel (officers/importer.py)."""
from datetime import date, datetime
from io import BytesIO

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from liaison.errors import RosterImportError
from liaison.models import AuditEntry
from officers.importer import import_roster, parse_date, read_roster, template_workbook
from officers.models import Officer, StaffProfile
from officers.roster import ROSTER_HEADERS
from tests.factories import OfficerFactory, UserFactory

User = get_user_model()


def xlsx(*rows, headers=ROSTER_HEADERS):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


GOOD = (
    ("市场部", "李雷", "lilei", "13900001111", "lilei@example.com", "主联络员", datetime(2026, 3, 2)),
    ("market", "韩梅梅", "hanmeimei", "010-12345678", "", "副联络员", "2026/3/5"),
    ("生产部", "王强", "wangqiang", 13712345678, "", "主联络员", "2026年3月6日"),
)


def errors_of(preview):
    return {row.number: row.errors for row in preview.rows if row.errors}


def test_good_file_previews_without_errors_and_changes_nothing(market, prod):
    preview = read_roster(xlsx(*GOOD))

    assert preview.ok
    assert [row.appointed_on for row in preview.rows] == [date(2026, 3, 2), date(2026, 3, 5), date(2026, 3, 6)]
    assert [row.unit for row in preview.rows] == [market, market, prod]
    assert preview.rows[2].phone == "13712345678"
    assert not Officer.objects.exists()
    assert not User.objects.filter(username="lilei").exists()


def test_commit_creates_users_and_officers(secretary, market, prod):
    result = import_roster(source=xlsx(*GOOD), actor=secretary, filename="名录.xlsx")

    lilei = User.objects.get(username="lilei")
    officer = Officer.objects.get(user=lilei)
    assert len(result.officers) == 3 and len(result.created_users) == 3
    assert (officer.unit, officer.is_primary, officer.phone, officer.appointed_on) == (market, True, "13900001111", date(2026, 3, 2))
    assert Officer.objects.get(user__username="hanmeimei").is_primary is False
    assert lilei.first_name == "李雷"
    assert not lilei.has_usable_password()
    assert StaffProfile.objects.get(user=lilei).unit == market
    assert officer.history.get().history_user == secretary
    entry = AuditEntry.objects.get(action=AuditEntry.Action.IMPORT)
    assert entry.user == secretary
    assert entry.detail == "导入联络员名录 名录.xlsx：3 名联络员，新建用户 3 个。"


def test_existing_user_is_appointed_not_recreated(secretary, market, employee):
    import_roster(
        source=xlsx(("市场部", "陈员工", "employee", "13900001111", "", "主联络员", "2026-03-02")), actor=secretary
    )

    assert Officer.objects.get(unit=market).user == employee
    assert User.objects.filter(username="employee").count() == 1


@pytest.mark.parametrize(
    "row, message",
    [
        (("人事部", "李雷", "lilei", "13900001111", "", "主联络员", "2026-03-02"), "单位“人事部”不存在（请填写单位名称或编码）。"),
        (("市场部", "李雷", "lilei", "1390000111", "", "主联络员", "2026-03-02"),
         "电话“1390000111”格式不正确：应为 11 位手机号，或带区号的固定电话（如 010-12345678）。"),
        (("市场部", "李雷", "lilei", "12900001111", "", "主联络员", "2026-03-02"),
         "电话“12900001111”格式不正确：应为 11 位手机号，或带区号的固定电话（如 010-12345678）。"),
        (("市场部", "李雷", "lilei", "0755-1234567", "", "主联络员", "2026-02-30"),
         "任命日期“2026-02-30”无法识别：请使用 Excel 日期，或 2026-03-01、2026/3/1、2026年3月1日 格式。"),
        (("市场部", "李雷", "lilei", "13900001111", "", "主联络员", "三月二日"),
         "任命日期“三月二日”无法识别：请使用 Excel 日期，或 2026-03-01、2026/3/1、2026年3月1日 格式。"),
        (("市场部", "李雷", "", "13900001111", "", "主联络员", "2026-03-02"), "缺少必填项：用户名。"),
        (("市场部", "李雷", "lilei", "13900001111", "", "联络员", "2026-03-02"), "角色“联络员”无效：应为“主联络员”或“副联络员”。"),
        (("市场部", "李雷", "lilei", "13900001111", "not-an-email", "主联络员", "2026-03-02"), "邮箱“not-an-email”格式不正确。"),
        (("市场部", "李雷", "li lei", "13900001111", "", "主联络员", "2026-03-02"),
         "用户名“li lei”无效：只能使用字母、数字和 @ . + - _，最长 150 个字符。"),
    ],
)
def test_bad_row_is_reported_in_chinese(market, row, message):
    preview = read_roster(xlsx(row))

    assert not preview.ok
    assert errors_of(preview) == {2: [message]}


def test_duplicate_user_within_the_file(market, prod):
    preview = read_roster(
        xlsx(
            ("市场部", "李雷", "lilei", "13900001111", "", "主联络员", "2026-03-02"),
            ("生产部", "李雷", "lilei", "13900001111", "", "主联络员", "2026-03-02"),
        )
    )

    assert errors_of(preview) == {3: ["用户名“lilei”在文件中重复（第 2 行已出现）。"]}


def test_two_primaries_for_one_unit(market):
    preview = read_roster(
        xlsx(
            ("市场部", "李雷", "lilei", "13900001111", "", "主联络员", "2026-03-02"),
            ("market", "韩梅梅", "hanmeimei", "13900002222", "", "主联络员", "2026-03-02"),
        )
    )

    assert errors_of(preview) == {3: ["市场部 在文件中有两个主联络员（第 2 行和第 3 行）。"]}


def test_already_active_officer_of_the_unit(market, officer_market):
    preview = read_roster(xlsx(("市场部", "张三", "officer_market", "13900001111", "", "副联络员", "2026-03-02")))

    assert errors_of(preview) == {2: ["张三 已是市场部的在岗联络员。"]}


def test_primary_over_an_active_one_needs_replace(secretary, market, officer_market):
    data = xlsx(("市场部", "李雷", "lilei", "13900001111", "", "主联络员", "2026-03-02"))

    refused = read_roster(data)
    import_roster(source=data, actor=secretary, replace=True)

    assert errors_of(refused) == {2: ["市场部 已有在岗主联络员 张三；如以文件为准更换，请勾选“替换现任主联络员”。"]}
    old = Officer.objects.get(user=officer_market)
    assert old.status == Officer.Status.REPLACED
    assert old.ended_on == date(2026, 3, 2)


def test_existing_username_with_another_name(market, employee):
    preview = read_roster(xlsx(("市场部", "李雷", "employee", "13900001111", "", "主联络员", "2026-03-02")))

    assert errors_of(preview) == {2: ["用户名“employee”已存在，姓名为“陈员工”，与文件中的“李雷”不一致。"]}


def test_ambiguous_unit_name_asks_for_the_code(market):
    from tests.factories import OrgUnitFactory

    OrgUnitFactory(code="market2", name="市场部")

    preview = read_roster(xlsx(("市场部", "李雷", "lilei", "13900001111", "", "主联络员", "2026-03-02")))

    assert errors_of(preview) == {2: ["单位名称“市场部”对应多个单位，请改填单位编码。"]}


def test_one_bad_row_imports_nothing(secretary, market):
    data = xlsx(*GOOD)  # 生产部 does not exist here

    with pytest.raises(RosterImportError) as error:
        import_roster(source=data, actor=secretary)

    assert error.value.message == "文件有 1 处错误，未导入任何数据。请改正后重新上传。"
    assert not Officer.objects.exists()
    assert not User.objects.filter(username="lilei").exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT).exists()


def test_failure_while_writing_rolls_everything_back(secretary, market, prod, monkeypatch):
    from officers import services

    real = services.appoint_officer
    calls = []

    def fail_on_third(**kwargs):
        calls.append(kwargs["user"].username)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(services, "appoint_officer", fail_on_third)

    with pytest.raises(RuntimeError):
        import_roster(source=xlsx(*GOOD), actor=secretary)

    assert len(calls) == 3
    assert not Officer.objects.exists()
    assert not User.objects.filter(username__in=["lilei", "hanmeimei", "wangqiang"]).exists()


def test_file_that_is_not_xlsx_is_refused(market):
    with pytest.raises(RosterImportError) as error:
        read_roster(b"%PDF-1.4 not a workbook")

    assert error.value.message == "文件不是有效的 Excel (.xlsx) 文件。"


def test_missing_columns_are_named(market):
    preview = read_roster(xlsx(("市场部", "李雷"), headers=("单位", "姓名")))

    assert preview.file_errors == ["缺少列：用户名、电话、邮箱、角色、任命日期。请下载模板，按模板的表头填写。"]
    assert not preview.ok


def test_empty_file_is_refused(market):
    preview = read_roster(xlsx())

    assert preview.file_errors == ["文件中没有数据行。"]


def test_columns_may_come_in_any_order_and_blank_rows_are_skipped(market):
    headers = list(reversed(ROSTER_HEADERS))
    row = list(reversed(("市场部", "李雷", "lilei", "13900001111", "", "主联络员", "2026-03-02")))

    preview = read_roster(xlsx(row, [None] * 7, headers=headers))

    assert preview.ok
    assert len(preview.rows) == 1


def test_an_unwanted_officer_cannot_import(officer_market, market):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_roster(source=xlsx(GOOD[0]), actor=officer_market)


@pytest.mark.parametrize(
    "value, expected",
    [
        (datetime(2026, 3, 2, 0, 0), date(2026, 3, 2)),
        (date(2026, 3, 2), date(2026, 3, 2)),
        ("2026-03-02", date(2026, 3, 2)),
        ("2026/3/2", date(2026, 3, 2)),
        ("2026年3月2日", date(2026, 3, 2)),
        (46083, date(2026, 3, 2)),  # an Excel serial that lost its date format
        ("2026-13-01", None),
        ("03/02/2026", None),
        (12, None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_template_has_the_headers_and_an_example_that_imports(secretary, market):
    data = template_workbook()

    sheet = openpyxl.load_workbook(BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ROSTER_HEADERS
    assert rows[1][0] == "市场部"
    assert isinstance(rows[1][6], datetime)
    assert read_roster(data).ok


def test_exported_rows_round_trip(secretary, market, prod):
    from officers.roster import officer_row

    import_roster(source=xlsx(*GOOD), actor=secretary)
    officers = Officer.objects.select_related("user", "unit").order_by("pk")
    exported = xlsx(*[officer_row(o) for o in officers])
    for officer in officers:
        officer.status = Officer.Status.LEFT
        officer.ended_on = date(2026, 11, 1)
        officer.save()

    preview = read_roster(exported)

    assert preview.ok
    assert [(r.username, r.is_primary, r.appointed_on) for r in preview.rows] == [
        (o.user.username, o.is_primary, o.appointed_on) for o in officers
    ]
