"""Generating a report: one per kind and period, only for a period that is over, only by the
secretariat (or the sweep); a snapshot that does not change when the records do; sent to the named
leaders with a link and no content in e-mail; sections other apps register join it."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from infoflow.models import Item
from liaison.models import Notification
from liaison.notifications import safe_text
from reports import sections, services
from reports.models import Addressee, Recipient, Report
from tests.reports.conftest import APRIL_2, at

pytestmark = pytest.mark.django_db


def test_the_secretariat_generates_and_the_named_leaders_are_told(named_leader, secretary, gm):
    Recipient.objects.create(user=gm, monthly=False)

    with at(APRIL_2):
        report = services.generate_report(kind="monthly", period_label="2026-03", actor=secretary)

    assert report.title == "2026 年 3 月信息工作月度报告" and report.generated_by == secretary
    assert list(Addressee.objects.filter(report=report).values_list("user__username", flat=True)) == ["leader"]
    notice = Notification.objects.get(key="report:%d:sent" % report.pk)
    subject, text = safe_text(notice)
    assert notice.recipient == named_leader and notice.url == "/reports/%d/" % report.pk
    assert notice.confidentiality == "restricted" and report.title not in subject + text
    assert report.history.filter(history_change_reason="generate").count() == 1


def test_a_second_report_for_the_same_period_is_refused(secretary):
    with at(APRIL_2):
        services.generate_report(kind="monthly", period_label="2026-03", actor=secretary)
        with pytest.raises(services.ReportExists) as error:
            services.generate_report(kind="monthly", period_label="2026-03", actor=secretary)

    assert error.value.message == "2026-03 的报告已经生成，报告生成后不再改变。"
    assert Report.objects.count() == 1


@pytest.mark.parametrize("kind, label, message", [
    ("monthly", "2026-04", "2026-04 尚未结束，期满后才能生成报告。"),
    ("yearly", "2026", "2026 尚未结束，期满后才能生成报告。"),
    ("monthly", "2026-13", "月份格式应为 YYYY-MM，例如 2026-10。"),
    ("monthly", "2026", "月份格式应为 YYYY-MM，例如 2026-10。"),
    ("yearly", "26", "年度格式应为 YYYY，例如 2026。"),
    ("weekly", "2026-03", "请选择报告类型。"),
])
def test_bad_or_unfinished_periods_are_refused(secretary, kind, label, message):
    with at(APRIL_2), pytest.raises(services.ReportInvalid) as error:
        services.generate_report(kind=kind, period_label=label, actor=secretary)

    assert error.value.message == message


@pytest.mark.parametrize("role", ["leader", "gm", "auditor", "officer_market", "head_market"])
def test_only_the_secretariat_generates_by_hand(request, role):
    with at(APRIL_2), pytest.raises(PermissionDenied):
        services.generate_report(kind="monthly", period_label="2026-03", actor=request.getfixturevalue(role))


def test_the_snapshot_does_not_change_when_the_records_do(march_records, secretary, market, officer_market):
    with at(APRIL_2):
        report = services.generate_report(kind="monthly", period_label="2026-03", actor=secretary)
    before = report.data

    Item.objects.create(unit=market, initiator=officer_market, subject="后来补登", summary="x", state="completed",
                        submitted_at=dt.datetime(2026, 3, 30, 10, 0, tzinfo=dt.timezone.utc), number="T-2026-099")
    report.refresh_from_db()

    assert report.data == before and services.verify(report)
    assert services.build_data(services.parse_period("monthly", "2026-03")) != before


def test_a_tampered_snapshot_is_detected(secretary):
    with at(APRIL_2):
        report = services.generate_report(kind="monthly", period_label="2026-03", actor=secretary)
    Report.objects.filter(pk=report.pk).update(data={**report.data, "title": "改过"})

    assert not services.verify(Report.objects.get(pk=report.pk))


@pytest.fixture
def extra_section():
    section = sections.register(sections.Section(
        key="test_surveys", title="满意度调查", order=80,
        build=lambda period: {"figures": [sections.figure("发出问卷", 3)], "note": period.label}))
    yield section
    sections._REGISTRY.pop("test_surveys", None)


def test_a_section_another_app_registers_joins_the_report(extra_section, secretary):
    with at(APRIL_2):
        report = services.generate_report(kind="yearly", period_label="2025", actor=secretary)

    keys = [s["key"] for s in report.data["sections"]]
    extra = report.data["sections"][keys.index("test_surveys")]
    assert keys.index("test_surveys") < keys.index("assessment")
    assert extra == {"key": "test_surveys", "title": "满意度调查", "figures": [["发出问卷", 3]], "tables": [],
                     "note": "2025"}
