"""The assessment pages: who sees which breakdown and ranking, the HR forms,
the Excel export and fixed query counts."""
import datetime as dt
import io

import openpyxl
import pytest
import time_machine

from officers.assessment import compute_period, open_period, publish_period
from officers.assessment_models import AssessmentResult
from officers.models import Officer

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2027, 1, 10, 10, 0, tzinfo=TZ)


@pytest.fixture
def period(secretary, officer_market, officer_prod):
    Officer.objects.update(appointed_on=dt.date(2025, 1, 1))
    with time_machine.travel(NOW, tick=False):
        period = open_period(actor=secretary, year=2026)
        compute_period(actor=secretary, period=period)
    return period


def result_of(user):
    return AssessmentResult.objects.get(user=user)


def test_officer_sees_own_breakdown_and_not_anothers(client, period, officer_market, officer_prod):
    client.force_login(officer_market)

    assert client.get("/assessment/2026/results/%d/" % result_of(officer_market).pk).status_code == 200
    assert client.get("/assessment/2026/results/%d/" % result_of(officer_prod).pk).status_code == 404
    page = client.get("/assessment/2026/").content.decode()
    assert "排名将在考评结果发布后公布" in page and "孙八" not in page
    assert client.get("/assessment/2026/ranking.xlsx").status_code == 404


def test_unconcerned_user_gets_404_for_an_unpublished_period(client, period, employee):
    client.force_login(employee)

    assert client.get("/assessment/2026/").status_code == 404


@pytest.mark.parametrize("who", ["secretary", "auditor", "leader", "gm"])
def test_hr_supervision_and_leaders_see_every_breakdown(request, client, period, officer_prod, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get("/assessment/2026/results/%d/" % result_of(officer_prod).pk).status_code == 200
    assert "孙八" in client.get("/assessment/2026/").content.decode()


def test_after_publication_the_ranking_is_public_but_breakdowns_stay_own(client, period, secretary, officer_market,
                                                                         officer_prod, employee):
    with time_machine.travel(NOW, tick=False):
        publish_period(actor=secretary, period=period)
    client.force_login(employee)

    page = client.get("/assessment/2026/").content.decode()

    assert "孙八" in page and "张三" in page and "部门排名" in page
    assert client.get("/assessment/2026/results/%d/" % result_of(officer_prod).pk).status_code == 404
    client.force_login(officer_market)
    assert client.get("/assessment/2026/results/%d/" % result_of(officer_prod).pk).status_code == 404


def test_officer_cannot_post_hr_forms(client, period, officer_market):
    client.force_login(officer_market)
    mine = result_of(officer_market)

    response = client.post("/assessment/2026/results/%d/adjust/" % mine.pk, {"points": "20", "reason": "自评"})

    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.adjustment == 0


def test_hr_adjusts_through_the_page_and_the_history_shows_the_reason(client, period, secretary, officer_market):
    client.force_login(secretary)
    mine = result_of(officer_market)

    client.post("/assessment/2026/results/%d/adjust/" % mine.pk, {"points": "1.5", "reason": "补报信息"})
    empty = client.post("/assessment/2026/results/%d/adjust/" % mine.pk, {"points": "3", "reason": ""}, follow=True)

    mine.refresh_from_db()
    assert mine.adjustment == 1.5
    assert "调整分数必须填写理由。" in empty.content.decode()
    assert "补报信息" in client.get("/assessment/2026/results/%d/" % mine.pk).content.decode()


def test_hr_enters_a_hand_score_through_the_page(client, period, secretary, officer_market):
    client.force_login(secretary)
    mine = result_of(officer_market)
    criterion = period.criteria.get(code="attitude")

    client.post("/assessment/2026/results/%d/hand-score/" % mine.pk,
                {"criterion": criterion.pk, "score": "9", "comment": "认真负责"})

    mine.refresh_from_db()
    assert mine.parts["attitude"]["score"] == "9.00"


@pytest.mark.parametrize("criterion", ["abc", "", "-1", "99999999"])
def test_a_hand_score_for_no_such_criterion_is_404_and_changes_nothing(client, period, secretary, officer_market,
                                                                       criterion):
    client.force_login(secretary)
    mine = result_of(officer_market)
    before = dict(mine.parts)

    response = client.post("/assessment/2026/results/%d/hand-score/" % mine.pk,
                           {"criterion": criterion, "score": "9", "comment": "认真负责"})

    mine.refresh_from_db()
    assert response.status_code == 404 and mine.parts == before


def test_hr_opens_a_period_from_the_index(client, secretary):
    client.force_login(secretary)

    response = client.post("/assessment/open/", {"year": "2027"})

    assert response.status_code == 302 and response["Location"] == "/assessment/2027/"


def test_export_is_text_safe_and_watermarked(client, period, secretary, officer_market):
    officer_market.first_name = "=HYPERLINK(1)"
    officer_market.save()
    client.force_login(secretary)

    response = client.get("/assessment/2026/ranking.xlsx")

    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    assert sheet.cell(1, 1).value == "名次"
    names = [sheet.cell(r, 2).value for r in range(2, sheet.max_row + 1)]
    assert "=HYPERLINK(1)" in names and sheet.cell(2, 2).data_type == "s"
    assert "内部资料" in book.properties.category


def test_charts_page_shows_each_chart_with_its_table(client, period, secretary):
    client.force_login(secretary)

    page = client.get("/assessment/charts/?year=2026").content.decode()

    assert page.count("chart-figure") == 3 and page.count("chart-table") == 3  # an empty chart says so


def test_period_page_query_count_does_not_grow_with_officers(client, period, secretary, django_assert_max_num_queries):
    from tests.factories import OfficerFactory

    client.force_login(secretary)
    with django_assert_max_num_queries(25):
        client.get("/assessment/2026/")
    for _n in range(5):
        OfficerFactory(appointed_on=dt.date(2025, 1, 1))
    with time_machine.travel(NOW, tick=False):
        compute_period(actor=secretary, period=period)
    with django_assert_max_num_queries(25):
        client.get("/assessment/2026/")
    with django_assert_max_num_queries(25):
        client.get("/assessment/2026/results/%d/" % AssessmentResult.objects.first().pk)


def test_the_award_shows_on_the_officers_own_index(settings, client, period, secretary, officer_prod):
    settings.ASSESSMENT_PASS = 30
    settings.ASSESSMENT_EXCELLENT = "score:30"
    with time_machine.travel(NOW, tick=False):
        publish_period(actor=secretary, period=period)
    client.force_login(officer_prod)

    page = client.get("/assessment/").content.decode()

    assert "我的荣誉" in page and "2026 · 年度优秀联络员" in page
