"""Watermarks on every .xlsx export (issue 18 §4): each sheet's printed header and
footer name the organisation, the exporting user and the time (liaison.sheetmark,
the communication-log export's wording). Attachment downloads: tests/infoflow/
test_download_watermark.py."""
import datetime
import io

import openpyxl
import pytest

from archive import exports as archive_exports
from archive.models import ArchivedRecord, DestructionEntry
from briefs.models import AdoptionLevel
from briefs.workbook import summary_workbook
from liaison.sheetmark import sheet_marks
from officers.roster_export import write_roster
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WHEN = datetime.datetime(2026, 11, 30, 2, 5, tzinfo=datetime.timezone.utc)  # 10:05 in Asia/Shanghai


@pytest.fixture
def exporter(db):
    return UserFactory(username="zhang_wm", first_name="三", last_name="张")


def marks_of(data: bytes) -> list[str]:
    """Header + footer text of every sheet of the workbook ``data``."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    texts = []
    for sheet in book.worksheets:
        parts = [sheet.oddHeader.left.text, sheet.oddHeader.right.text, sheet.oddFooter.left.text]
        texts.append(" ".join(p or "" for p in parts))
    return texts


def assert_marked(texts, user, stamp=None):
    assert texts
    for text in texts:
        assert "示范有限公司" in text
        assert user.username in text
        assert (stamp or "") in text


def test_sheet_marks_name_organisation_user_and_local_time(exporter):
    header, footer = sheet_marks(exporter, WHEN)

    assert header.startswith("&L示范有限公司 内部资料&R导出人：")
    assert "zhang_wm" in header and "2026-11-30 10:05" in header
    assert "zhang_wm" in footer and "2026-11-30 10:05" in footer and "&P" in footer


def test_sheet_marks_escape_ampersands_in_the_organisation(exporter, settings):
    settings.ORGANISATION_NAME = "A&B 公司"

    header, _footer = sheet_marks(exporter, WHEN)

    assert "A&&B 公司" in header


def test_briefs_summary_workbook_is_watermarked_on_every_sheet(exporter):
    summary = {
        "month": "2026-11", "channels": [], "totals": {"records": 0, "views": 0},
        "adoption": {**{level: 0 for level, _label in AdoptionLevel.choices}, "total": 0},
        "departments": [], "channel_names": [], "releases": [], "issues": [],
    }

    texts = marks_of(summary_workbook(summary, user=exporter, now=WHEN))

    assert len(texts) == 4
    assert_marked(texts, exporter, "2026-11-30 10:05")


@pytest.mark.parametrize("export", ["catalogue", "report", "destruction"])
def test_archive_workbooks_are_watermarked(exporter, export):
    if export == "catalogue":
        response = archive_exports.catalogue_response(ArchivedRecord.objects.none(), user=exporter)
    elif export == "report":
        response = archive_exports.report_response([], user=exporter)
    else:
        response = archive_exports.destruction_response(DestructionEntry.objects.none(), user=exporter)

    assert_marked(marks_of(b"".join(response.streaming_content)), exporter)


def test_officer_roster_export_is_watermarked(exporter, tmp_path):
    path = tmp_path / "roster.xlsx"
    write_roster(str(path), user=exporter, now=WHEN)

    texts = marks_of(path.read_bytes())

    assert texts and all("示范有限公司" in t and exporter.get_full_name() in t and "2026-11-30" in t for t in texts)


def test_the_suggestions_csv_starts_with_the_watermark_line(client, exporter, settings):
    import csv
    import time_machine

    from suggestions.models import Box, Handler

    settings.ORGANISATION_NAME = "测试集团"
    Handler.objects.create(box=Box.SUGGESTION, user=exporter, role=Handler.Role.HANDLER)
    client.force_login(exporter)
    with time_machine.travel(WHEN, tick=False):
        response = client.get("/suggestions/export.csv")

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["# 测试集团 内部资料 · 导出人：三 张（zhang_wm） · 2026-11-30 10:05"]
    assert rows[1][0] == "编号"  # the column headings follow


def test_the_csv_mark_names_manage_py_without_a_user():
    from liaison.sheetmark import csv_mark

    assert "导出人：manage.py" in csv_mark(None, WHEN)
