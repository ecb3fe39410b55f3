"""The meeting and training pages: who sees them (others 404), forms
through the services, fixed query counts of the lists, the attendance chart
with its numbers beneath."""
import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from liaison import workdays
from liaison.errors import MeetingInvalid, MeetingNotAllowed
from officers.meeting_models import Induction, Invitation, Meeting
from officers.meetings import INVITE_OFFICERS, record_attendance, schedule_meetings
from officers.models import Officer
from officers.trainings import create_training, hours_by_officer, record_training_attendance, sync_inductions

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
BEFORE = dt.datetime(2026, 9, 1, 10, 0, tzinfo=TZ)


@pytest.fixture
def meeting(secretary, officer_market, officer_prod):
    with time_machine.travel(BEFORE, tick=False):
        return schedule_meetings(actor=secretary, title="9月联络员例会", first_on=dt.date(2026, 9, 10),
                                 start_time=dt.time(14, 0), agenda="通报工作", place="三楼会议室",
                                 roles=[INVITE_OFFICERS])[0]


def test_invitee_secretariat_and_leader_see_the_meeting_others_get_404(client, meeting, officer_market, secretary,
                                                                          leader, employee, outsider, head_market):
    for user, status in [(officer_market, 200), (secretary, 200), (leader, 200), (employee, 404),
                         (outsider, 404), (head_market, 404)]:
        client.force_login(user)
        assert client.get("/officers/meetings/%d/" % meeting.pk).status_code == status, user.username


def test_officer_answers_leave_with_delegate_through_the_page(client, meeting, officer_market, employee):
    client.force_login(officer_market)

    with time_machine.travel(BEFORE, tick=False):
        response = client.post("/officers/meetings/%d/respond/" % meeting.pk,
                               {"response": "leave", "leave_reason": "出差", "delegate": employee.pk})

    assert response.status_code == 302
    assert Invitation.objects.get(meeting=meeting, user=officer_market).delegate == employee


def test_leave_without_delegate_shows_the_message(client, meeting, officer_market):
    client.force_login(officer_market)

    with time_machine.travel(BEFORE, tick=False):
        response = client.post("/officers/meetings/%d/respond/" % meeting.pk,
                               {"response": "leave", "leave_reason": "出差"}, follow=True)

    assert "请假须委派一位代表参会。" in response.content.decode()


def test_an_officer_may_not_send_the_notice(client, meeting, officer_market):
    client.force_login(officer_market)

    with time_machine.travel(BEFORE, tick=False):
        response = client.post("/officers/meetings/%d/notify/" % meeting.pk)

    assert response.status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).state == "planned"


def test_secretary_schedules_a_remote_series_through_the_form(client, secretary, officer_market, market):
    client.force_login(secretary)

    with time_machine.travel(BEFORE, tick=False):
        response = client.post("/officers/meetings/new/", {
            "title": "月度例会", "kind": "regular", "first_on": "2026-09-01", "start_time": "09:30",
            "duration_minutes": 60, "recurrence": "monthly", "count": 3, "mode": "remote",
            "link": "https://meet.example.cn/r", "agenda": "例行", "units": [market.pk]})

    assert response.status_code == 302
    assert Meeting.objects.count() == 3
    assert Meeting.objects.filter(moved_note__contains="2026-10-08").exists()


def test_meeting_list_has_a_fixed_query_count(client, secretary, officer_market, django_assert_max_num_queries):
    with time_machine.travel(BEFORE, tick=False):
        schedule_meetings(actor=secretary, title="例会", first_on=dt.date(2026, 9, 10), start_time=dt.time(9),
                          agenda="议程", place="会议室", recurrence="weekly", count=2, roles=[INVITE_OFFICERS])
    client.force_login(secretary)
    client.get("/officers/meetings/")  # the session's first last-seen write
    # Both pages read the calendar afresh and at the same wall-clock moment: its per-process cache expires after
    # a minute of monotonic time and the last-seen time is written once a minute, and scheduling 30 meetings
    # took that long on a busy machine (the second page counted their queries).
    with time_machine.travel(dt.datetime.now(dt.timezone.utc), tick=False):
        workdays.clear_cache()
        with django_assert_max_num_queries(20) as few:
            client.get("/officers/meetings/")
        with time_machine.travel(BEFORE, tick=False):
            schedule_meetings(actor=secretary, title="例会", first_on=dt.date(2026, 9, 10), start_time=dt.time(9),
                              agenda="议程", place="会议室", recurrence="weekly", count=30, roles=[INVITE_OFFICERS])
        workdays.clear_cache()
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get("/officers/meetings/?q=例会")

    assert response.status_code == 200


def test_meeting_detail_has_a_fixed_query_count(client, secretary, meeting, django_assert_max_num_queries):
    from tests.factories import OfficerFactory

    client.force_login(secretary)
    with django_assert_max_num_queries(20) as few:
        client.get("/officers/meetings/%d/" % meeting.pk)
    for n in range(10):
        user = OfficerFactory().user
        Invitation.objects.create(meeting=meeting, user=user)

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/officers/meetings/%d/" % meeting.pk).status_code == 200


def test_attendance_chart_draws_bars_with_the_numbers_beneath(client, meeting, secretary, officer_market,
                                                              officer_prod, employee):
    rows = {i.user.username: i.pk for i in meeting.invitations.select_related("user")}
    with time_machine.travel(dt.datetime(2026, 9, 10, 16, 0, tzinfo=TZ), tick=False):
        record_attendance(meeting=meeting, actor=secretary,
                          attendance={rows["officer_market"]: "present", rows["officer_prod"]: "absent"})
    client.force_login(secretary)

    page = client.get("/officers/meetings/attendance/?year=2026").content.decode()
    client.force_login(employee)

    assert "<svg" in page and page.count("<rect") == 2
    assert '<td data-label="出席">1</td>' in page and '<td data-label="缺席">1</td>' in page
    assert client.get("/officers/meetings/attendance/").status_code == 404


# --- trainings ----------------------------------------------------------------------


def test_induction_training_completes_the_new_officers_induction_and_counts_hours(secretary, officer_market,
                                                                                   officer_prod, settings):
    settings.INDUCTION_DAYS = 30
    with time_machine.travel(BEFORE, tick=False):
        Officer.objects.update(appointed_on=dt.date(2026, 8, 20))
        assert sync_inductions() == 2 and sync_inductions() == 0
        training = create_training(actor=secretary, title="岗前培训", content="制度与流程", trainer="周秘书",
                                   starts_at=BEFORE - dt.timedelta(hours=3), hours="2.5", is_induction=True)
        record_training_attendance(training=training, actor=secretary, present_users=[officer_market])

    done = Induction.objects.get(officer__user=officer_market)
    open_ = Induction.objects.get(officer__user=officer_prod)
    assert done.done_on == dt.date(2026, 9, 1) and open_.done_on is None
    assert open_.due_on == dt.date(2026, 9, 19)
    assert Officer.objects.get(user=officer_market).induction_done_on == dt.date(2026, 9, 1)
    hours = {r["user"].username: r["hours"] for r in hours_by_officer(2026)}
    assert hours == {"officer_market": Decimal("2.5"), "officer_prod": Decimal("0")}
    assert [r["user"].username for r in hours_by_officer(2026, officer_prod)] == ["officer_prod"]


def test_induction_sweep_reminds_then_reports_late_once(secretary, officer_prod, head_prod):
    from liaison import sweeps
    from liaison.models import Notification

    Officer.objects.update(appointed_on=dt.date(2026, 8, 20))
    sync_inductions()
    for moment in [dt.datetime(2026, 9, 1, 9), dt.datetime(2026, 9, 13, 9), dt.datetime(2026, 9, 14, 9),
                   dt.datetime(2026, 9, 20, 9), dt.datetime(2026, 9, 21, 9)]:
        with time_machine.travel(moment.replace(tzinfo=TZ), tick=False):
            sweeps.run(moment.replace(tzinfo=TZ))

    prod = Induction.objects.get(officer__user=officer_prod)
    keys = list(Notification.objects.filter(recipient=officer_prod).order_by("pk").values_list("key", flat=True))
    assert keys == ["induction:%d:due" % prod.pk, "induction:%d:late" % prod.pk]
    assert Notification.objects.filter(recipient=head_prod, key="induction:%d:late" % prod.pk).exists()


@pytest.mark.parametrize("hours", ["0", "25", "abc"])
def test_bad_training_hours_are_refused(secretary, hours):
    with pytest.raises(MeetingInvalid):
        create_training(actor=secretary, title="培训", content="内容", trainer="讲师", starts_at=BEFORE, hours=hours)


def test_only_the_secretariat_records_trainings(officer_market, client):
    with pytest.raises(MeetingNotAllowed):
        create_training(actor=officer_market, title="培训", content="内容", trainer="讲师", starts_at=BEFORE,
                        hours=1)
    client.force_login(officer_market)
    assert client.get("/officers/trainings/new/").status_code == 403


def test_training_pages_for_roles(client, secretary, officer_market, employee, outsider,
                                  django_assert_max_num_queries):
    with time_machine.travel(BEFORE, tick=False):
        training = create_training(actor=secretary, title="信息写作培训", content="内容", trainer="讲师",
                                   starts_at=BEFORE - dt.timedelta(hours=1), hours=2)
        record_training_attendance(training=training, actor=secretary, present_users=[officer_market])
    client.force_login(officer_market)
    with django_assert_max_num_queries(20):
        assert "信息写作培训" in client.get("/officers/trainings/?q=写作").content.decode()
    assert client.get("/officers/trainings/%d/" % training.pk).status_code == 200
    assert client.get("/officers/trainings/hours/").status_code == 200
    assert client.get("/officers/trainings/inductions/").status_code == 404
    client.force_login(outsider)
    assert client.get("/officers/trainings/%d/" % training.pk).status_code == 404
    client.force_login(secretary)
    assert client.get("/officers/trainings/inductions/").status_code == 200
    assert client.get("/officers/trainings/%d/" % training.pk).status_code == 200


def test_seed_demo_has_a_year_of_minuted_meetings_one_overdue_action_and_an_induction(db, settings):
    from django.core.management import call_command

    from officers.meeting_models import ActionItem, Training

    settings.DEBUG = True
    with time_machine.travel("2026-03-02 10:00+08:00", tick=False):
        call_command("seed_demo", stdout=open("/dev/null", "w"))
        count = Meeting.objects.count()
        call_command("seed_demo", stdout=open("/dev/null", "w"))
        now = dt.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)

        assert Meeting.objects.count() == count >= 12
        assert Meeting.objects.filter(state="minuted").count() >= 11
        assert ActionItem.objects.filter(done_at__isnull=True, due_at__lt=now).count() == 1
        assert Invitation.objects.filter(attendance="delegate").exists()
        assert Training.objects.filter(is_induction=True, attendance__present=True).exists()
        assert Induction.objects.filter(done_on__isnull=False).exists()


def test_home_card_counts_answers_actions_and_inductions(rf, meeting, secretary, officer_market, employee,
                                                         django_assert_max_num_queries):
    from django.template.loader import render_to_string

    from officers.meetings import send_notice

    with time_machine.travel(BEFORE, tick=False):
        send_notice(meeting=meeting, actor=secretary)
        warm = rf.get("/")
        warm.user = officer_market
        render_to_string("officers/meetings/_home_card.html", request=warm)  # per-process lookups (permission ids)
        request = rf.get("/")
        request.user = officer_market
        # Roles, the bell, delegations and the home figures' one statement.
        with django_assert_max_num_queries(4):
            mine = render_to_string("officers/meetings/_home_card.html", request=request)
        request.user = secretary
        theirs = render_to_string("officers/meetings/_home_card.html", request=request)
        request.user = employee
        nothing = render_to_string("officers/meetings/_home_card.html", request=request)

    assert "即将召开的会议 1 个，待答复 1 个。" in mine
    assert "待完成的岗前培训 0 人（已超期 0 人）" in theirs
    assert nothing.strip() == ""


def test_daily_task_opens_the_inductions_of_new_officers(officer_market, settings):
    from liaison.schedule import BEAT_SCHEDULE
    from officers.tasks import inductions_daily

    assert inductions_daily() == 1 and inductions_daily() == 0
    assert BEAT_SCHEDULE["officers-inductions-daily"]["task"] == "officers.tasks.inductions_daily"
