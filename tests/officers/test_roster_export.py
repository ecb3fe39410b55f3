"""The roster export: the import's columns, masked phones, and the round trip."""
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from officers.importer import read_roster
from officers.models import Officer
from officers.roster import ROSTER_HEADERS
from officers.roster_export import mask_phone, write_roster
from liaison.models import AuditEntry
from tests.factories import OfficerFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(market, prod, officer_market, officer_prod):
    Officer.objects.filter(user=officer_market).update(appointed_on=datetime.date(2024, 3, 1), email="zs@example.com")
    Officer.objects.filter(user=officer_prod).update(phone="010-12345678", appointed_on=datetime.date(2025, 1, 15))
    deputy = OfficerFactory(unit=market, is_primary=False, phone="13900001111", user__username="deputy_market",
                            user__first_name="刘副", appointed_on=datetime.date(2025, 6, 30))
    OfficerFactory(unit=market, is_primary=False, status=Officer.Status.LEFT, user__username="gone",
                   user__first_name="离任者")
    return deputy


def _rows(path):
    book = openpyxl.load_workbook(path)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def test_headers_are_the_import_columns(tmp_path, roster, secretary):
    write_roster(tmp_path / "r.xlsx", user=secretary)

    assert tuple(_rows(tmp_path / "r.xlsx")[0]) == ROSTER_HEADERS


def test_hr_sees_full_numbers_and_real_dates(tmp_path, roster, secretary):
    count = write_roster(tmp_path / "r.xlsx", user=secretary)

    rows = _rows(tmp_path / "r.xlsx")[1:]
    assert count == 3
    assert rows == [
        ["市场部", "张三", "officer_market", "13812345678", "zs@example.com", "主联络员", datetime.datetime(2024, 3, 1)],
        ["市场部", "刘副", "deputy_market", "13900001111", None, "副联络员", datetime.datetime(2025, 6, 30)],
        ["生产部", "孙八", "officer_prod", "010-12345678", None, "主联络员", datetime.datetime(2025, 1, 15)],
    ]


@pytest.mark.parametrize("who", ["head_market", "auditor", "officer_prod", "leader"])
def test_other_roles_see_masked_numbers(tmp_path, roster, request, who):
    user = request.getfixturevalue(who)

    write_roster(tmp_path / "r.xlsx", user=user)

    assert [r[3] for r in _rows(tmp_path / "r.xlsx")[1:]] == ["138****5678", "139****1111", "010****5678"]


def test_hr_admin_alone_sees_full_numbers(tmp_path, roster):
    hr = UserFactory(username="hr_only")
    RoleFactory(user=hr, role="hr_admin")

    write_roster(tmp_path / "r.xlsx", user=hr)

    assert _rows(tmp_path / "r.xlsx")[1][3] == "13812345678"


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone(" 010-12345678 ") == "010****5678"
    assert mask_phone("12345") == "****"
    assert mask_phone("") == ""


def test_round_trip_through_the_importer_without_errors(tmp_path, roster, secretary):
    path = tmp_path / "r.xlsx"
    write_roster(path, user=secretary)
    # Re-importing the same officers would be "already in post": end the posts,
    # as when HR rebuilds the roster from the file.
    Officer.objects.update(status=Officer.Status.LEFT)

    preview = read_roster(str(path))

    assert preview.file_errors == []
    assert [(r.number, r.errors) for r in preview.rows if r.errors] == []
    assert preview.ok
    assert [(r.unit.code, r.name, r.username, r.phone, r.is_primary, r.appointed_on) for r in preview.rows] == [
        ("market", "张三", "officer_market", "13812345678", True, datetime.date(2024, 3, 1)),
        ("market", "刘副", "deputy_market", "13900001111", False, datetime.date(2025, 6, 30)),
        ("prod", "孙八", "officer_prod", "010-12345678", True, datetime.date(2025, 1, 15)),
    ]


def test_masked_file_does_not_import(tmp_path, roster, head_market):
    path = tmp_path / "r.xlsx"
    write_roster(path, user=head_market)
    Officer.objects.update(status=Officer.Status.LEFT)

    preview = read_roster(str(path))

    assert not preview.ok
    assert "电话“138****5678”格式不正确" in preview.rows[0].errors[0]


def test_typed_text_is_never_a_formula(tmp_path, market, secretary):
    OfficerFactory(unit=market, user__username="evil", user__first_name="=HYPERLINK(\"http://x\")")

    write_roster(tmp_path / "r.xlsx", user=secretary)

    cell = openpyxl.load_workbook(tmp_path / "r.xlsx").worksheets[0]["B2"]
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"http://x\")"
    assert cell._style.quotePrefix == 1


def test_view_downloads_and_audits(client, roster, head_market):
    client.force_login(head_market)

    response = client.get(reverse("exports:roster"))

    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert response.status_code == 200
    assert book.worksheets[0]["D2"].value == "138****5678"
    assert "内部资料" in book.worksheets[0].oddHeader.left.text
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.user == head_market and entry.detail == "联络员名录 3 行"


def test_view_requires_login(client):
    response = client.get(reverse("exports:roster"))

    assert response.status_code == 302
