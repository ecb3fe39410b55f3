"""The built-in sections' figures against a known March (tests/reports/conftest.py), and the yearly
report's assessment section."""
import datetime as dt
from decimal import Decimal

import pytest

from officers.assessment_models import AssessmentPeriod, AssessmentResult
from reports.services import build_data, parse_period
from tests.reports.conftest import APRIL_2, TZ, at

pytestmark = pytest.mark.django_db


def _sections(data):
    return {s["key"]: s for s in data["sections"]}


def _figures(section):
    return dict((label, value) for label, value in section["figures"])


def _table(section, title):
    return next(t for t in section["tables"] if t["title"] == title)


@pytest.fixture
def march_data(march_records):
    with at(APRIL_2):
        return _sections(build_data(parse_period("monthly", "2026-03")))


def test_items_by_department_kind_outcome_and_direction(march_data):
    items = march_data["items"]

    assert _figures(items) == {"报送信息": 4, "已办结": 2, "办理中": 1}
    assert _table(items, "按部门")["rows"] == [["市场部", 3, 1, 1, 1], ["生产部", 1, 0, 1, 0]]
    assert _table(items, "按种类")["rows"] == [["常规工作信息", 2, 1, 1, 0], ["跨部门协调", 1, 0, 0, 1],
                                            ["向领导报告", 1, 0, 1, 0]]
    assert _table(items, "按方向")["rows"][0] == ["内部", 4]


def test_on_time_rates_come_from_the_day_totals(march_data):
    ontime = march_data["ontime"]

    assert _figures(ontime) == {"审核按时率（%）": 75.0, "反馈按时率（%）": 50.0}
    assert _table(ontime, "各部门按时率")["rows"] == [["市场部", 4, 3, 75.0, 0, 0, None],
                                                ["生产部", 0, 0, None, 2, 1, 50.0]]


def test_data_calls_count_answers_due_in_the_period(march_data):
    calls = march_data["datacalls"]

    assert _figures(calls) == {"报送期次": 1, "应报送": 2, "按时报送率（%）": 50.0}
    assert _table(calls, "各单位报送情况")["rows"] == [["市场部", 1, 1, 1, 0, 0, 0], ["生产部", 1, 0, 0, 0, 0, 1]]


def test_meetings_attendance_and_training(march_data):
    meetings = march_data["meetings"]

    assert _figures(meetings) == {"召开会议": 1, "出席率（%）": 66.7, "举办培训": 1, "培训人次": 1, "培训总学时": 2.0}
    assert _table(meetings, "会议")["rows"] == [["联络员例会", 1, 1, 0], ["临时会议", 1, 0, 1]]
    assert "缺席（未请假）1 人次" in meetings["note"]


def test_adoptions_by_level_and_department(march_data):
    adoptions = march_data["adoptions"]

    assert _figures(adoptions) == {"部门采用": 1, "公司采用": 1, "对外发布/报送": 0, "采用合计": 2}
    assert _table(adoptions, "各部门采用情况")["rows"] == [["市场部", 0, 1, 0, 1], ["生产部", 1, 0, 0, 1]]


def test_incidents_are_counted_never_described(march_data):
    incidents = march_data["incidents"]

    assert _figures(incidents) == {"本期发现": 2, "本期结案": 1, "尚未结案": 1, "超过处置时限未结案": 1}
    assert _table(incidents, "按等级")["rows"] == [["测试级", 2, 1]]
    assert "误发邮件" not in str(march_data) and "U盘丢失" not in str(march_data)


def test_no_item_subject_reaches_the_snapshot(march_data):
    assert "信息 1" not in str(march_data)


def test_the_monthly_report_has_no_assessment_and_the_yearly_one_has(march_records):
    with at(APRIL_2):
        monthly = _sections(build_data(parse_period("monthly", "2026-03")))
    assert "assessment" not in monthly


def test_yearly_assessment_results(officer_market, officer_prod, market, prod, secretary):
    period = AssessmentPeriod.objects.create(year=2025, title="2025 年度考评", state="published", opened_by=secretary,
                                             opened_at=dt.datetime(2025, 12, 1, tzinfo=TZ),
                                             published_at=dt.datetime(2026, 1, 10, tzinfo=TZ))
    AssessmentResult.objects.create(period=period, user=officer_market, unit=market, total=Decimal("95"), rank=1,
                                    passed=True, excellent=True)
    AssessmentResult.objects.create(period=period, user=officer_prod, unit=prod, total=Decimal("55"), rank=2,
                                    passed=False)

    with at(APRIL_2):
        section = _sections(build_data(parse_period("yearly", "2025")))["assessment"]

    assert _figures(section) == {"参加考评的联络员": 2, "合格": 1, "不合格": 1, "年度优秀联络员": 1}
    assert _table(section, "年度优秀联络员")["rows"] == [[1, "张三", "市场部", 95.0]]
    assert _table(section, "部门考评排名")["rows"] == [[1, "市场部", 95.0, 1], [2, "生产部", 55.0, 1]]
    assert section["note"] == "考评结果已于 2026-01-10 发布。"


def test_an_unpublished_assessment_names_no_excellent_officer(officer_market, market, secretary):
    period = AssessmentPeriod.objects.create(year=2025, title="2025", opened_by=secretary,
                                             opened_at=dt.datetime(2025, 12, 1, tzinfo=TZ))
    AssessmentResult.objects.create(period=period, user=officer_market, unit=market, total=Decimal("95"), rank=1,
                                    excellent=True)

    with at(APRIL_2):
        section = _sections(build_data(parse_period("yearly", "2025")))["assessment"]

    assert [t["title"] for t in section["tables"]] == ["部门考评排名"]
    assert "尚未发布" in section["note"]


def test_a_year_without_assessment_says_so():
    with at(APRIL_2):
        section = _sections(build_data(parse_period("yearly", "2024")))["assessment"]

    assert section["note"] == "2024 年度尚未开展联络员考评。"
