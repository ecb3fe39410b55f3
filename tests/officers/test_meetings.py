"""officers.meetings: recurrence on the working calendar, notice, answers
with delegates, attendance, minutes with read receipts, action items through
reminder, escalation and done (officers.meeting_sweeps)."""
import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from liaison import sweeps
from liaison.errors import MeetingInvalid, MeetingNotAllowed, MeetingStateConflict
from liaison.models import Notification
from officers.meeting_models import ActionItem, Invitation, Meeting
from officers.meetings import (
    INVITE_OFFICERS,
    add_action_item,
    cancel_meeting,
    complete_action_item,
    distribute_minutes,
    mark_minutes_read,
    meetings_visible_to,
    occurrence_dates,
    record_attendance,
    respond,
    schedule_meetings,
    send_notice,
)

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
BEFORE = dt.datetime(2026, 9, 1, 10, 0, tzinfo=TZ)


def kinds(user):
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True))


def run(moment):
    with time_machine.travel(moment, tick=False):
        return sweeps.run(moment)


@pytest.fixture
def meeting(secretary, officer_market, officer_prod):
    with time_machine.travel(BEFORE, tick=False):
        return schedule_meetings(actor=secretary, title="9月联络员例会", first_on=dt.date(2026, 9, 10),
                                 start_time=dt.time(14, 0), agenda="通报工作；布置任务", place="三楼会议室",
                                 roles=[INVITE_OFFICERS])[0]


# --- recurrence ---------------------------------------------------------------------


def test_monthly_meeting_on_national_day_moves_to_the_next_working_day():
    dates = occurrence_dates(dt.date(2026, 9, 1), Meeting.Recurrence.MONTHLY, 3)

    assert [(p, a) for p, a, _n in dates] == [
        (dt.date(2026, 9, 1), dt.date(2026, 9, 1)),
        (dt.date(2026, 10, 1), dt.date(2026, 10, 8)),
        (dt.date(2026, 11, 1), dt.date(2026, 11, 2)),  # a Sunday: Monday
    ]
    assert dates[1][2] == "原定 2026-10-01 为非工作日，顺延至 2026-10-08。"
    assert dates[0][2] == ""


def test_a_meeting_on_a_tiaoxiu_saturday_stays_on_it():
    # 2026-10-10 is a Saturday worked in exchange for the National Day holiday.
    dates = occurrence_dates(dt.date(2026, 9, 10), Meeting.Recurrence.MONTHLY, 2)

    assert dates[1] == (dt.date(2026, 10, 10), dt.date(2026, 10, 10), "")


def test_weekly_meeting_moved_into_the_next_one_is_merged():
    dates = occurrence_dates(dt.date(2026, 9, 24), Meeting.Recurrence.WEEKLY, 4)

    assert [a for _p, a, _n in dates] == [dt.date(2026, 9, 24), dt.date(2026, 10, 8), dt.date(2026, 10, 15)]
    assert "原定 2026-10-01 的会议因节假日并入本次。" in dates[1][2]


def test_quarterly_and_yearly_steps_clamp_the_day():
    quarterly = occurrence_dates(dt.date(2026, 11, 30), Meeting.Recurrence.QUARTERLY, 2)
    yearly = occurrence_dates(dt.date(2026, 6, 30), Meeting.Recurrence.YEARLY, 2)

    assert quarterly[1][0] == dt.date(2027, 2, 28)
    assert yearly[1][0] == dt.date(2027, 6, 30)


def test_a_series_is_scheduled_with_its_moves_and_invitations(secretary, officer_market, officer_prod, market):
    with time_machine.travel(BEFORE, tick=False):
        series = schedule_meetings(actor=secretary, title="联络员例会", first_on=dt.date(2026, 9, 1),
                                   start_time=dt.time(9, 30), agenda="例行", recurrence="monthly", count=3,
                                   mode="remote", link="https://meet.example.cn/room", units=[market],
                                   users=[officer_prod])

    assert [m.starts_at.astimezone(TZ).date() for m in series] == [
        dt.date(2026, 9, 1), dt.date(2026, 10, 8), dt.date(2026, 11, 2)]
    assert series[1].series_id == series[0].pk and series[0].series_id is None
    assert "顺延至 2026-10-08" in series[1].moved_note
    assert set(series[2].invitations.values_list("user__username", flat=True)) == {"officer_market", "officer_prod"}
    assert series[0].history.get().history_change_reason == "schedule"


@pytest.mark.parametrize("fields, message", [
    ({"place": ""}, "现场会议请填写地点。"),
    ({"mode": "remote", "place": ""}, "远程会议请填写会议链接。"),
    ({"kind": "coordination"}, "协调会须关联一条信息。"),
    ({"first_on": dt.date(2026, 8, 31)}, "会议日期不能早于今天。"),
    ({"recurrence": "weekly", "count": 61}, "重复次数须在 1 到 60 之间。"),
    ({"roles": [], "users": []}, "请至少邀请一位参会人。"),
    ({"agenda": " "}, "请填写会议议程。"),
])
def test_bad_input_is_refused(secretary, officer_market, fields, message):
    data = dict(actor=secretary, title="会", first_on=dt.date(2026, 9, 10), start_time=dt.time(9), agenda="议程",
                place="会议室", roles=[INVITE_OFFICERS])
    data.update(fields)

    with time_machine.travel(BEFORE, tick=False), pytest.raises(MeetingInvalid) as e:
        schedule_meetings(**data)

    assert e.value.message == message
    assert not Meeting.objects.exists()


def test_an_officer_cannot_schedule(officer_market):
    with time_machine.travel(BEFORE, tick=False), pytest.raises(MeetingNotAllowed):
        schedule_meetings(actor=officer_market, title="会", first_on=dt.date(2026, 9, 10), start_time=dt.time(9),
                          agenda="议程", place="会议室", roles=[INVITE_OFFICERS])


# --- notice, answers, delegates -----------------------------------------------------


def test_notice_reaches_every_invitee_once(meeting, secretary, officer_market, officer_prod):
    with time_machine.travel(BEFORE, tick=False):
        send_notice(meeting=meeting, actor=secretary)
        with pytest.raises(MeetingStateConflict):
            send_notice(meeting=meeting, actor=secretary)

    assert kinds(officer_market) == ["task"] and kinds(officer_prod) == ["task"]
    text = Notification.objects.get(recipient=officer_market).body
    assert "三楼会议室" in text and "通报工作" in text


def test_leave_with_a_delegate_tells_the_delegate_and_lets_them_see_it(meeting, officer_market, employee, outsider):
    invitation = meeting.invitations.get(user=officer_market)

    with time_machine.travel(BEFORE, tick=False):
        respond(invitation=invitation, actor=officer_market, response="leave", leave_reason="出差",
                delegate=employee)

    invitation.refresh_from_db()
    assert invitation.delegate == employee and invitation.response == "leave"
    assert kinds(employee) == ["delegation"]
    assert meetings_visible_to(employee).filter(pk=meeting.pk).exists()
    assert not meetings_visible_to(outsider).filter(pk=meeting.pk).exists()
    assert invitation.history.filter(history_change_reason="respond").count() == 1


def test_leave_without_a_delegate_or_for_oneself_is_refused(meeting, officer_market):
    invitation = meeting.invitations.get(user=officer_market)

    with time_machine.travel(BEFORE, tick=False):
        with pytest.raises(MeetingInvalid) as no_delegate:
            respond(invitation=invitation, actor=officer_market, response="leave", leave_reason="出差")
        with pytest.raises(MeetingInvalid) as self_delegate:
            respond(invitation=invitation, actor=officer_market, response="leave", leave_reason="出差",
                    delegate=officer_market)

    assert no_delegate.value.message == "请假须委派一位代表参会。"
    assert self_delegate.value.message == "请委派本人以外的在职人员参会。"


def test_only_the_invitee_answers_and_only_before_the_start(meeting, officer_market, officer_prod):
    invitation = meeting.invitations.get(user=officer_market)

    with time_machine.travel(BEFORE, tick=False), pytest.raises(MeetingNotAllowed):
        respond(invitation=invitation, actor=officer_prod, response="attend")
    with time_machine.travel(dt.datetime(2026, 9, 10, 14, 1, tzinfo=TZ), tick=False), \
            pytest.raises(MeetingStateConflict):
        respond(invitation=invitation, actor=officer_market, response="attend")


# --- attendance, minutes, read receipts ---------------------------------------------


def _hold(meeting, secretary, officer_market, officer_prod, employee):
    with time_machine.travel(BEFORE, tick=False):
        send_notice(meeting=meeting, actor=secretary)
        respond(invitation=meeting.invitations.get(user=officer_market), actor=officer_market, response="leave",
                leave_reason="出差", delegate=employee)
    rows = {i.user.username: i.pk for i in meeting.invitations.select_related("user")}
    with time_machine.travel(dt.datetime(2026, 9, 10, 16, 0, tzinfo=TZ), tick=False):
        record_attendance(meeting=meeting, actor=secretary,
                          attendance={rows["officer_market"]: "delegate", rows["officer_prod"]: "absent"})


def test_attendance_before_the_start_is_refused(meeting, secretary, officer_prod):
    pk = meeting.invitations.get(user=officer_prod).pk

    with time_machine.travel(BEFORE, tick=False), pytest.raises(MeetingStateConflict) as e:
        record_attendance(meeting=meeting, actor=secretary, attendance={pk: "present"})

    assert e.value.message == "会议尚未开始，不能登记出席情况。"


def test_delegate_attendance_needs_a_named_delegate(meeting, secretary, officer_prod):
    pk = meeting.invitations.get(user=officer_prod).pk

    with time_machine.travel(dt.datetime(2026, 9, 10, 16, 0, tzinfo=TZ), tick=False), \
            pytest.raises(MeetingInvalid) as e:
        record_attendance(meeting=meeting, actor=secretary, attendance={pk: "delegate"})

    assert e.value.message == "孙八 未委派代表，不能登记为代表出席。"


def test_minutes_reach_invitees_and_delegates_and_record_who_read_them(meeting, secretary, officer_market,
                                                                       officer_prod, employee):
    _hold(meeting, secretary, officer_market, officer_prod, employee)

    with time_machine.travel(dt.datetime(2026, 9, 11, 10, 0, tzinfo=TZ), tick=False):
        distribute_minutes(meeting=meeting, actor=secretary, text="一、通报了本月信息报送情况。")
        invitation = Invitation.objects.select_related("meeting").get(meeting=meeting, user=officer_prod)
        first = mark_minutes_read(invitation=invitation, actor=officer_prod)
        again = mark_minutes_read(invitation=invitation, actor=officer_prod)

    meeting.refresh_from_db()
    assert meeting.state == "minuted"
    assert first and not again
    assert Invitation.objects.get(meeting=meeting, user=officer_prod).minutes_read_at is not None
    assert "notice" in kinds(employee) and "notice" in kinds(officer_market)


def test_minutes_need_text_or_a_good_file(meeting, secretary, officer_market, officer_prod, employee):
    _hold(meeting, secretary, officer_market, officer_prod, employee)
    bad = SimpleUploadedFile("纪要.exe", b"MZ\x90\x00binary", content_type="application/octet-stream")

    with time_machine.travel(dt.datetime(2026, 9, 11, 10, 0, tzinfo=TZ), tick=False):
        with pytest.raises(MeetingInvalid) as empty:
            distribute_minutes(meeting=meeting, actor=secretary, text=" ")
        with pytest.raises(MeetingInvalid):
            distribute_minutes(meeting=meeting, actor=secretary, upload=bad)
        pdf = SimpleUploadedFile("纪要.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                                 content_type="application/pdf")
        distribute_minutes(meeting=meeting, actor=secretary, upload=pdf)

    assert empty.value.message == "请填写会议纪要或上传纪要文件。"
    meeting.refresh_from_db()
    assert meeting.minutes_file.name.endswith(".pdf")


def test_minutes_before_attendance_are_refused(meeting, secretary):
    with time_machine.travel(dt.datetime(2026, 9, 11, 10, 0, tzinfo=TZ), tick=False), \
            pytest.raises(MeetingStateConflict):
        distribute_minutes(meeting=meeting, actor=secretary, text="纪要")


def test_cancelling_a_notified_meeting_tells_the_invitees(meeting, secretary, officer_prod):
    with time_machine.travel(BEFORE, tick=False):
        send_notice(meeting=meeting, actor=secretary)
        cancel_meeting(meeting=meeting, actor=secretary, reason="与上级会议冲突")
        with pytest.raises(MeetingStateConflict):
            cancel_meeting(meeting=meeting, actor=secretary, reason="再次")

    assert kinds(officer_prod) == ["task", "notice"]


# --- action items -------------------------------------------------------------------


def test_action_item_reminder_overdue_escalation_and_done_each_once(meeting, secretary, officer_market,
                                                                    officer_prod, employee, head_prod):
    _hold(meeting, secretary, officer_market, officer_prod, employee)
    with time_machine.travel(dt.datetime(2026, 9, 11, 10, 0, tzinfo=TZ), tick=False):
        # Due Wednesday 2026-09-30 17:30, the last working day before National Day.
        action = add_action_item(meeting=meeting, actor=secretary, text="报送国庆值班安排", owner=officer_prod,
                                 due_on=dt.date(2026, 9, 30))
    assert action.due_at == dt.datetime(2026, 9, 30, 17, 30, tzinfo=TZ)

    for moment in [dt.datetime(2026, 9, 28, 9, 0), dt.datetime(2026, 9, 29, 17, 29), dt.datetime(2026, 9, 29, 17, 31),
                   dt.datetime(2026, 9, 30, 12, 0), dt.datetime(2026, 9, 30, 17, 31),
                   dt.datetime(2026, 10, 5, 9, 0),  # holiday: escalation waits a working day
                   dt.datetime(2026, 10, 8, 17, 31), dt.datetime(2026, 10, 9, 9, 0)]:
        run(moment.replace(tzinfo=TZ))

    assert kinds(officer_prod)[-3:] == ["task", "reminder", "overdue"]
    assert kinds(head_prod) == ["escalation"]
    assert "escalation" in kinds(secretary)
    assert Notification.objects.filter(key="action:%d:reminder" % action.pk).count() == 1

    with time_machine.travel(dt.datetime(2026, 10, 9, 10, 0, tzinfo=TZ), tick=False):
        with pytest.raises(MeetingNotAllowed):
            complete_action_item(action=action, actor=officer_market, note="代办")
        complete_action_item(action=action, actor=officer_prod, note="已报送")
        with pytest.raises(MeetingStateConflict):
            complete_action_item(action=action, actor=officer_prod)

    action.refresh_from_db()
    assert action.is_late() and action.done_note == "已报送"
    assert action.history.filter(history_change_reason="done").count() == 1
    assert not sweeps.kinds_due(dt.datetime(2026, 12, 1, tzinfo=TZ), [s for s in sweeps.registered()
                                                                       if s.name == "meeting_action_item"])


def test_action_items_need_a_held_meeting_and_a_future_date(meeting, secretary, officer_prod, officer_market,
                                                            employee):
    with time_machine.travel(BEFORE, tick=False), pytest.raises(MeetingStateConflict):
        add_action_item(meeting=meeting, actor=secretary, text="事项", owner=officer_prod, due_on=dt.date(2026, 9, 30))
    _hold(meeting, secretary, officer_market, officer_prod, employee)
    with time_machine.travel(dt.datetime(2026, 9, 11, 10, 0, tzinfo=TZ), tick=False):
        with pytest.raises(MeetingInvalid) as past:
            add_action_item(meeting=meeting, actor=secretary, text="事项", owner=officer_prod,
                            due_on=dt.date(2026, 9, 1))
        with pytest.raises(MeetingNotAllowed):
            add_action_item(meeting=meeting, actor=officer_market, text="事项", owner=officer_prod,
                            due_on=dt.date(2026, 9, 30))

    assert past.value.message == "完成期限不能早于今天。"
    assert not ActionItem.objects.exists()
