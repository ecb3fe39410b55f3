"""Demo meetings and trainings (seed_demo): the past twelve months of monthly
liaison meetings on the working calendar, held, with attendance (one leave
with a delegate, one absence), minutes and an action item each — the last
one overdue — plus next month's meeting, scheduled; an induction training
with its attendance, and one officer whose induction is still open.

Past meetings cannot be scheduled through the services (they refuse dates
before today), so the rows are written as the services would have left
them, with history. Idempotent: nothing is written once the demo series
exists."""
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from .meeting_models import ActionItem, Induction, Invitation, Meeting, Training, TrainingAttendance
from .meetings import end_of_working_day, occurrence_dates
from .models import Officer
from .trainings import sync_inductions

TITLE = "联络员例会"
AGENDA = "一、通报上月信息报送和采用情况；二、各部门联络员交流工作；三、布置本月报送任务。"
MINUTES = ("会议通报了上月各部门信息报送和采用情况，市场部、生产部按时完成报送任务。"
           "会议要求各联络员按期完成本月报送任务，重要信息即时报送，其他信息一周内报送。")
ACTIONS = ["汇总本部门本月客户意见并报送秘书处", "核对本部门联络员通讯录", "整理本月生产经营信息",
           "报送本部门信息采用情况统计"]


def _save(obj, user, reason):
    obj._history_user = user
    obj._change_reason = reason
    obj.save()
    return obj


def seed() -> int:
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(
        username__in=["secretary", "officer_market", "officer_prod", "employee", "head_prod"])}
    secretary = users.get("secretary")
    if secretary is None or Meeting.objects.filter(title=TITLE, series__isnull=True).exists():
        return 0
    officers = list(Officer.objects.filter(status=Officer.Status.ACTIVE).select_related("user", "unit")
                    .order_by("unit__sort_order", "pk"))
    tz = timezone.get_current_timezone()
    now = timezone.now()
    today = timezone.localdate()
    first = (today.replace(day=1) - dt.timedelta(days=330)).replace(day=10)
    created, series = 0, None
    dates = occurrence_dates(first, Meeting.Recurrence.MONTHLY, 13)
    for n, (planned, actual, note) in enumerate(dates):
        starts_at = dt.datetime.combine(actual, dt.time(14, 30), tzinfo=tz)
        held = starts_at < now - dt.timedelta(days=1)
        # The notice goes out five days ahead: a meeting further off is still only planned.
        notified_at = starts_at - dt.timedelta(days=5)
        notified = notified_at <= now
        state = (Meeting.State.MINUTED if held else Meeting.State.NOTIFIED if notified
                 else Meeting.State.PLANNED)
        meeting = _save(Meeting(
            kind=Meeting.Kind.REGULAR, title=TITLE, recurrence=Meeting.Recurrence.MONTHLY, series=series,
            planned_on=planned, starts_at=starts_at, moved_note=note, place="办公楼三楼会议室", agenda=AGENDA,
            organiser=secretary, state=state,
            notified_at=notified_at if notified else None, minutes_text=MINUTES if held else "",
            minutes_at=starts_at + dt.timedelta(days=1) if held else None), secretary, "seed_demo")
        series = series or meeting
        created += 1
        for k, officer in enumerate(officers):
            invitation = Invitation(meeting=meeting, user=officer.user, unit=officer.unit)
            if held:
                invitation.response = Invitation.Response.ATTEND
                invitation.attendance = Invitation.Attendance.PRESENT
                invitation.minutes_read_at = meeting.minutes_at + dt.timedelta(hours=2)
                if n == 3 and officer.user.username == "officer_market" and "employee" in users:
                    invitation.response = Invitation.Response.LEAVE
                    invitation.leave_reason = "外出拜访客户"
                    invitation.delegate = users["employee"]
                    invitation.attendance = Invitation.Attendance.DELEGATE
                if n == 5 and k == len(officers) - 1:
                    invitation.attendance = Invitation.Attendance.ABSENT
                    invitation.minutes_read_at = None
            _save(invitation, secretary, "seed_demo")
            created += 1
        if held and officers:
            owner = officers[n % len(officers)].user
            last_held = n + 1 == len(dates) or dt.datetime.combine(dates[n + 1][1], dt.time(14, 30), tzinfo=tz) >= (
                now - dt.timedelta(days=1))
            if last_held:  # the one overdue action item: due the next working day, still open
                due = min(end_of_working_day(actual + dt.timedelta(days=1)), now - dt.timedelta(hours=1))
            else:
                due = end_of_working_day(actual + dt.timedelta(days=14))
            action = ActionItem(meeting=meeting, text=ACTIONS[n % len(ACTIONS)], owner=owner, due_at=due,
                                created_at=meeting.minutes_at)
            if not last_held:
                action.done_at = due - dt.timedelta(days=2)
                action.done_note = "已完成"
            _save(action, secretary, "seed_demo")
            created += 1

    # The induction training, last month; the second officer's induction stays open.
    sync_inductions()
    training = _save(Training(
        title="新任联络员岗前培训", content="信息联络员实施细则；信息报送、审核、传递、反馈、归档流程；保密要求。",
        trainer="周敏", starts_at=dt.datetime.combine(first + dt.timedelta(days=20), dt.time(9, 0), tzinfo=tz),
        hours=Decimal("3.0"), place="办公楼三楼会议室", is_induction=True, organiser=secretary), secretary, "seed_demo")
    created += 1
    attendee = next((o for o in officers if o.user.username == "officer_market"), officers[0] if officers else None)
    if attendee is not None:
        _save(TrainingAttendance(training=training, user=attendee.user, hours=training.hours), secretary, "seed_demo")
        induction = Induction.objects.filter(officer=attendee).first() or Induction(
            officer=attendee, due_on=attendee.appointed_on + dt.timedelta(days=settings.INDUCTION_DAYS))
        if induction.done_on is None:
            induction.done_on, induction.training = timezone.localtime(training.starts_at).date(), training
            _save(induction, secretary, "seed_demo")
        created += 1
    return created
