"""Report pages: the secretariat and the leaders it was sent to read it (anyone else: 404), as a page,
a PDF and a workbook that carry the reader's watermark; generation asks for confirmation; the list is
paginated with a fixed number of queries."""
import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from liaison.pdf import cjk_font_available
from officers.assessment_models import AssessmentPeriod
from reports import services
from reports.models import Report
from tests.reports.conftest import APRIL_2, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(named_leader, secretary, march_records):
    with at(APRIL_2):
        return services.generate_report(kind="monthly", period_label="2026-03", actor=secretary)


@pytest.mark.parametrize("role, status", [
    ("secretary", 200), ("leader", 200),
    ("gm", 404), ("head_market", 404), ("officer_market", 404), ("auditor", 404), ("employee", 404), ("outsider", 404),
])
def test_who_opens_a_report(client, report, request, role, status):
    client.force_login(request.getfixturevalue(role))

    for suffix in ("", "report.xlsx"):
        assert client.get("/reports/%d/%s" % (report.pk, suffix)).status_code == status
    listed = report.title in client.get("/reports/").content.decode()
    assert listed == (status == 200)


def test_the_page_shows_the_snapshot_and_whom_it_was_sent_to(client, report, secretary, named_leader):
    client.force_login(secretary)
    html = client.get("/reports/%d/" % report.pk).content.decode()

    assert "信息报送与办理" in html and "各部门按时率" in html and "已发送给" in html and "李四" in html
    client.force_login(named_leader)
    assert "已发送给" not in client.get("/reports/%d/" % report.pk).content.decode()


def test_the_workbook_opens_and_each_sheet_carries_the_watermark(client, report, named_leader, settings):
    client.force_login(named_leader)

    response = client.get("/reports/%d/report.xlsx" % report.pk)
    book = load_workbook(io.BytesIO(response.content))

    assert book.sheetnames[:3] == ["概况", "信息报送与办理", "按时办理情况"]
    for sheet in book.worksheets:
        assert settings.ORGANISATION_NAME in sheet.oddHeader.left.text
        assert "leader" in sheet.oddHeader.right.text and "leader" in sheet.oddFooter.left.text
    rows = list(book["信息报送与办理"].iter_rows(values_only=True))
    assert ("市场部", 3, 1, 1, 1) in rows


def test_both_downloads_are_attachments_with_their_names(client, report, named_leader):
    """The workbook was sent inline (the PDF as an attachment): a phone's browser then tries to show
    the spreadsheet instead of saving it under its name."""
    client.force_login(named_leader)

    for suffix, name in (("xlsx", "report-monthly-%s.xlsx"), ("pdf", "report-monthly-%s.pdf")):
        response = client.get("/reports/%d/report.%s" % (report.pk, suffix))
        if response.status_code == 503:  # no PDF engine on this machine
            continue
        assert response["Content-Disposition"].startswith("attachment;")
        assert name % report.period in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.skipif(not cjk_font_available(), reason="needs a CJK font (fonts-noto-cjk)")
def test_the_pdf_opens_and_carries_the_readers_watermark(client, report, named_leader):
    client.force_login(named_leader)

    response = client.get("/reports/%d/report.pdf" % report.pk)
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)

    assert response["Content-Type"] == "application/pdf" and len(reader.pages) >= 1
    assert "leader" in text  # the stamp: organisation · 李四（leader） · time


def test_generate_asks_before_sending(client, secretary, named_leader):
    client.force_login(secretary)
    with at(APRIL_2):
        confirm = client.get("/reports/generate/", {"kind": "monthly", "period": "2026-03"})
        assert "确定生成并发送" in confirm.content.decode() and "李四" in confirm.content.decode()
        assert not Report.objects.exists()
        done = client.post("/reports/generate/", {"kind": "monthly", "period": "2026-03", "confirm": "1"})
        again = client.post("/reports/generate/", {"kind": "monthly", "period": "2026-03", "confirm": "1"})

    report = Report.objects.get()
    assert done.status_code == 302 and done["Location"] == "/reports/%d/" % report.pk
    assert again.status_code == 200 and "报告已经生成" in again.content.decode()


def test_generate_is_the_secretariats(client, leader):
    client.force_login(leader)

    assert client.get("/reports/generate/").status_code == 403


def test_the_list_takes_the_same_queries_for_few_and_many(client, secretary, django_assert_max_num_queries):
    import datetime as dt

    def make(n):
        Report.objects.create(kind="yearly", period="%d" % (1990 + n),
                              first_day=dt.date(2020, 1, 1), last_day=dt.date(2020, 1, 31), title="报告 %d" % n,
                              data={}, data_sha256="-")

    make(0)
    client.force_login(secretary)
    client.get("/reports/")
    with django_assert_max_num_queries(20) as few:
        client.get("/reports/")
    for n in range(1, 30):
        make(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/reports/")

    assert "第 1 / 2 页" in response.content.decode()


MENU = __import__("re").compile(r'<details class="menu">.*?</details>', __import__("re").S)


def _cards(client):
    return MENU.sub("", client.get("/").content.decode())


@pytest.mark.parametrize("role, shown", [("secretary", True), ("leader", True), ("gm", True),
                                         ("officer_market", False), ("employee", False)])
def test_the_menu_offers_reports_to_the_secretariat_and_leaders(client, request, market, role, shown):
    client.force_login(request.getfixturevalue(role))

    html = client.get("/").content.decode()

    assert ('href="/reports/"' in html) == shown
    assert 'href="/incidents/"' in html  # anyone may report an incident


def test_the_home_card_links_the_latest_report_for_its_leader_only(client, report, named_leader, gm):
    client.force_login(named_leader)
    assert 'href="/reports/%d/"' % report.pk in _cards(client)

    client.force_login(gm)  # a leader the report was not sent to
    assert 'href="/reports/%d/"' % report.pk not in _cards(client)


def test_a_period_not_over_is_refused_before_the_confirm_step(client, secretary, named_leader):
    client.force_login(secretary)

    with at(APRIL_2):
        response = client.get("/reports/generate/", {"kind": "monthly", "period": "2026-04"})

    html = response.content.decode()
    assert "2026-04 尚未结束" in html and "确定生成并发送" not in html and 'value="2026-04"' in html


def test_the_confirm_step_warns_before_a_yearly_report_without_published_results(client, secretary, named_leader):
    """A yearly report made before the year's assessment is published stays without its results for
    good (a report never changes): the confirm step says so; monthly reports and published years say
    nothing."""
    client.force_login(secretary)

    def confirm_page(kind, period):
        with at(APRIL_2):
            html = client.get("/reports/generate/", {"kind": kind, "period": period}).content.decode()
        assert "确定生成并发送" in html
        return html

    assert "2025 年度尚未开展联络员考评" in confirm_page("yearly", "2025")
    year = AssessmentPeriod.objects.create(year=2025, title="2025", opened_by=secretary,
                                           opened_at=dt.datetime(2025, 12, 1, tzinfo=dt.timezone.utc))
    assert "2025 年度考评结果尚未发布" in confirm_page("yearly", "2025")
    year.state, year.published_at = AssessmentPeriod.State.PUBLISHED, dt.datetime(2026, 1, 10, tzinfo=dt.timezone.utc)
    year.save()
    html = confirm_page("yearly", "2025")
    assert "尚未发布" not in html and "尚未开展" not in html and 'class="warning"' not in html.split("<h1>")[1]
    assert "尚未开展" not in confirm_page("monthly", "2026-03")
