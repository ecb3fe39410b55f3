"""officers.work: monthly work reports due on the working calendar, the
due-day reminder and the late notice (once each), filing and the head's
comment, and who sees what."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from liaison import workdays
from liaison.calendar_data import fill_from_chinesecalendar
from liaison.models import Notification
from liaison.sweeps import run_one
from officers.models import Officer, WorkReport
from officers.sweeps import REPORTS
from officers.work import comment_report, due_at_for, open_reports, period_of, submit_report
from officers.work_errors import WorkInvalid, WorkNotAllowed, WorkStateConflict
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _calendar(db):
    workdays.clear_cache()
    fill_from_chinesecalendar(years=[2026])
    yield
    workdays.clear_cache()


@pytest.fixture
def posts(officer_market, officer_prod):
    """Both officers appointed before the period (the factory appoints today)."""
    Officer.objects.update(appointed_on=dt.date(2026, 1, 5))


@pytest.fixture
def report(posts, officer_market):
    with time_machine.travel(at("2026-10-08 08:00"), tick=False):
        open_reports()
    return WorkReport.objects.get(officer__user=officer_market)


def test_september_report_is_due_on_the_fifth_working_day_after_national_day():
    # 10-01..07 holiday; 08 Thu, 09 Fri, 10 (调休 Sat), 12 Mon, 13 Tue.
    assert due_at_for(dt.date(2026, 9, 30)) == at("2026-10-13 17:30")
    # Without a holiday: 2026-06 → 07-01 Wed … 07-07 Tue.
    assert due_at_for(dt.date(2026, 6, 30)) == at("2026-07-07 17:30")


def test_period_is_a_setting(settings):
    assert period_of(dt.date(2026, 5, 20)) == (dt.date(2026, 5, 1), dt.date(2026, 5, 31))

    settings.WORK_REPORT_PERIOD_MONTHS = 3

    assert period_of(dt.date(2026, 5, 20)) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert period_of(dt.date(2026, 12, 1)) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))


def test_open_reports_creates_one_report_per_active_officer_once(posts, officer_market):
    with time_machine.travel(at("2026-10-08 08:00"), tick=False):
        assert open_reports() == 2
        assert open_reports() == 0

    report = WorkReport.objects.get(officer__user=officer_market)
    assert (report.period_start, report.period_end) == (dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    assert report.due_at == at("2026-10-13 17:30")
    assert report.history.filter(history_change_reason="open").count() == 1


def test_unfiled_report_is_reminded_on_the_due_day_and_marked_late_once(report, head_market):
    assert run_one(REPORTS, at("2026-10-12 10:00")) == []

    mine = "workreport:%d:" % report.pk
    reminded = run_one(REPORTS, at("2026-10-13 09:30")) + run_one(REPORTS, at("2026-10-13 12:00"))
    late = run_one(REPORTS, at("2026-10-13 18:00")) + run_one(REPORTS, at("2026-10-20 18:00"))
    reminded, late = [n for n in reminded if n.key.startswith(mine)], [n for n in late if n.key.startswith(mine)]

    assert [(n.recipient.username, n.kind) for n in reminded] == [("officer_market", "reminder")]
    assert sorted((n.recipient.username, n.kind) for n in late) == [("head_market", "overdue"),
                                                                     ("officer_market", "overdue")]
    report.refresh_from_db()
    assert report.is_late and report.state == WorkReport.State.OPEN
    assert report.history.filter(history_change_reason="late").count() == 1
    assert Notification.objects.filter(key__startswith="workreport:%d:" % report.pk).count() == 3


def test_officer_files_and_the_head_comments(report, officer_market, head_market):
    with time_machine.travel(at("2026-10-12 15:00"), tick=False):
        submit_report(report=report, actor=officer_market, work_done="收集信息 12 条", next_plan="组织例会")
        comment_report(report=report, actor=head_market, comment="很好，继续保持")

    report.refresh_from_db()
    assert report.state == WorkReport.State.READ and not report.is_late
    assert report.head_comment == "很好，继续保持" and report.commented_by == head_market
    assert Notification.objects.filter(recipient=head_market, key="workreport:%d:submitted" % report.pk).exists()
    assert Notification.objects.filter(recipient=officer_market, key__startswith="workreport:%d:comment" % report.pk).exists()
    sent = run_one(REPORTS, at("2026-10-13 18:00"))
    assert [n for n in sent if n.key.startswith("workreport:%d:" % report.pk)] == []  # filed: not chased


def test_report_filed_after_the_due_time_is_late(report, officer_market):
    with time_machine.travel(at("2026-10-14 09:00"), tick=False):
        submit_report(report=report, actor=officer_market, work_done="工作", next_plan="计划")

    report.refresh_from_db()
    assert report.is_late and report.state == WorkReport.State.SUBMITTED


def test_filing_is_refused_to_others_twice_and_empty(report, officer_market, officer_prod, head_market):
    with pytest.raises(WorkNotAllowed):
        submit_report(report=report, actor=officer_prod, work_done="x", next_plan="y")
    with pytest.raises(WorkNotAllowed):
        submit_report(report=report, actor=head_market, work_done="x", next_plan="y")
    with pytest.raises(WorkInvalid, match="请填写下期计划。"):
        submit_report(report=report, actor=officer_market, work_done="工作", next_plan="  ")

    submit_report(report=report, actor=officer_market, work_done="工作", next_plan="计划")

    with pytest.raises(WorkStateConflict, match="该工作报告已提交，不能重复提交。"):
        submit_report(report=report, actor=officer_market, work_done="工作", next_plan="计划")


def test_comment_is_refused_before_filing_and_to_another_head(report, officer_market, head_prod, head_market):
    with pytest.raises(WorkStateConflict):
        comment_report(report=report, actor=head_market, comment="意见")

    submit_report(report=report, actor=officer_market, work_done="工作", next_plan="计划")

    with pytest.raises(WorkNotAllowed):
        comment_report(report=report, actor=head_prod, comment="意见")
    with pytest.raises(WorkInvalid):
        comment_report(report=report, actor=head_market, comment="")


def test_pages_show_own_reports_and_hide_others(client, report, officer_market, officer_prod, head_market, head_prod,
                                                secretary):
    url = reverse("officers:work-report", args=[report.pk])
    for user, status in ((officer_market, 200), (head_market, 200), (secretary, 200), (officer_prod, 404),
                         (head_prod, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status, user

    client.force_login(officer_market)
    response = client.post(url, {"action": "submit", "work_done": "本月收集信息", "next_plan": "下月计划"})
    assert response.status_code == 302
    client.force_login(head_market)
    client.post(url, {"action": "comment", "comment": "已阅"})
    report.refresh_from_db()
    assert report.state == WorkReport.State.READ
    client.force_login(officer_prod)
    page = client.get(reverse("officers:work-reports")).content.decode()
    assert "本月收集信息" not in page and "市场部" not in page


def test_report_list_has_a_fixed_number_of_queries(client, secretary, market, django_assert_max_num_queries):
    client.force_login(secretary)
    client.get(reverse("officers:work-reports"))  # warm the session and roles
    with django_assert_max_num_queries(12):
        client.get(reverse("officers:work-reports"))
    for _ in range(15):
        OfficerFactory(unit=market, is_primary=False)
    Officer.objects.update(appointed_on=dt.date(2026, 1, 5))
    with time_machine.travel(at("2026-10-08 08:00"), tick=False):
        open_reports()
    with django_assert_max_num_queries(12):
        response = client.get(reverse("officers:work-reports") + "?q=市场")
    assert response.status_code == 200


def test_daily_task_opens_reports_once(posts, officer_market):
    from officers.tasks import work_daily

    with time_machine.travel(at("2026-10-08 00:10"), tick=False):
        assert work_daily() == (2, 0)
        assert work_daily() == (0, 0)


def test_home_card_counts_what_each_role_has_to_do(rf, report, officer_market, head_market, employee,
                                                   django_assert_max_num_queries):
    from django.template import Context, Template

    card = Template('{% include "officers/work/_home_card.html" %}')

    def render(user):
        request = rf.get("/")
        request.user = user
        return card.render(Context({"request": request}))

    with time_machine.travel(at("2026-10-14 09:00"), tick=False):
        render(officer_market)  # per-process lookups (permission ids) first
        with django_assert_max_num_queries(4):
            mine = render(officer_market)
        submit_report(report=report, actor=officer_market, work_done="工作", next_plan="计划")
        head = render(head_market)

    assert "待提交的工作报告 1 份" in mine and "逾期 1" in mine
    assert "待批阅的工作报告 1 份" in head
    assert render(employee).strip() == ""


def test_the_list_marks_an_open_report_past_its_due_time_before_the_sweep_runs(client, report, secretary):
    client.force_login(secretary)
    with time_machine.travel(report.due_at - dt.timedelta(hours=1), tick=False):
        before = client.get(reverse("officers:work-reports")).content.decode()
    with time_machine.travel(report.due_at + dt.timedelta(days=3), tick=False):
        after = client.get(reverse("officers:work-reports")).content.decode()

    assert "已逾期" not in before
    assert "已逾期" in after
