"""Demo work reports, an accountability case and a replacement flag (issue 14
§8), loaded by ``manage.py seed_demo`` after the meetings and the assessment.

* the last two periods' reports of every demo officer, filed and commented by
  the head, one of them (officer_prod's) filed late; this period's reports
  open, officer_market's already filed and waiting for the head;
* a late report (迟报) case against officer_prod, with a rectification ordered;
* the officer who missed a liaison meeting without leave in the meetings demo
  misses a second one, and the meeting rule flags them for replacement.

Found by natural keys: a second run creates nothing.
"""
import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from .flags import sweep_meeting_absences
from .models import AccountabilityCase, Invitation, Meeting, Officer, ReplacementFlag, WorkReport
from .work import due_at_for, last_period, open_reports

WORK = ["完成本部门市场信息收集 %d 条，按期报送信息平台；参加联络员例会并整理纪要。",
        "整理客户反馈 %d 条并转相关部门处理，跟踪办理结果；维护信息平台账户资料。"]
PLAN = "继续做好信息收集和报送，组织部门内部信息沟通会，按时完成报送任务。"
COMMENTS = ["工作扎实，信息报送及时。", "请加强重要信息的时效性。"]


def seed():
    created = 0
    now = timezone.now()
    today = timezone.localdate()
    officers = list(Officer.objects.filter(status=Officer.Status.ACTIVE).select_related("user", "unit__head")
                    .order_by("unit__sort_order", "pk"))
    if not officers:
        return 0
    current = last_period(today)
    earlier = last_period(current[0])
    earliest = last_period(earlier[0])
    for start, end in (earliest, earlier):
        due = due_at_for(end)
        for n, officer in enumerate(officers):
            if officer.appointed_on > end or WorkReport.objects.filter(officer=officer, period_start=start).exists():
                continue
            late = officer.user.username == "officer_prod" and start == earlier[0]
            submitted = due + dt.timedelta(days=1) if late else due - dt.timedelta(days=2)
            head = officer.unit.head
            report = WorkReport(
                officer=officer, unit=officer.unit, period_start=start, period_end=end, due_at=due,
                work_done=WORK[n % 2] % (8 + n), next_plan=PLAN, submitted_at=submitted, is_late=late,
                state=WorkReport.State.READ if head else WorkReport.State.SUBMITTED,
                head_comment=COMMENTS[int(late)] if head else "", commented_by=head,
                commented_at=submitted + dt.timedelta(days=1) if head else None)
            report._change_reason = "seed_demo"
            report.save()
            created += 1
    created += open_reports(now)
    market = WorkReport.objects.filter(officer__user__username="officer_market", period_start=current[0],
                                       state=WorkReport.State.OPEN).first()
    if market is not None and market.due_at > now:
        market.work_done, market.next_plan = WORK[0] % 12, PLAN
        market.state, market.submitted_at = WorkReport.State.SUBMITTED, now
        market._change_reason = "seed_demo"
        market.save()
    created += _case(officers, today)
    created += _flag(now)
    return created


def _case(officers, today) -> int:
    prod = next((o for o in officers if o.user.username == "officer_prod"), None)
    auditor = get_user_model().objects.filter(username="auditor").first()
    if prod is None or AccountabilityCase.objects.filter(officer=prod, kind=AccountabilityCase.Kind.LATE).exists():
        return 0
    case = AccountabilityCase(
        officer=prod, kind=AccountabilityCase.Kind.LATE, occurred_on=today - dt.timedelta(days=30),
        subject_label="月度生产经营数据报送", recorded_by=auditor,
        finding="生产部月度生产经营数据晚于截止时间两个工作日报送，影响公司经营分析会材料汇总。",
        sanction=AccountabilityCase.Sanction.CRITICISM, points=2,
        rectification="说明迟报原因，建立数据报送提醒台账。", rectification_due=today - dt.timedelta(days=5))  # ordered, now overdue
    case._change_reason = "seed_demo"
    case.save()
    return 1


def _flag(now) -> int:
    """A second liaison meeting missed without leave for the officer who
    already missed one in the meetings demo, then the meeting rule."""
    if ReplacementFlag.objects.filter(rule=ReplacementFlag.Rule.MEETINGS).exists():
        return 0
    year = timezone.localtime(now).year
    held = Invitation.objects.filter(meeting__kind=Meeting.Kind.REGULAR, meeting__starts_at__year=year,
                                     meeting__starts_at__lt=now)
    missed = Invitation.objects.filter(meeting__kind=Meeting.Kind.REGULAR, attendance=Invitation.Attendance.ABSENT,
                                       meeting__starts_at__lt=now).order_by("-meeting__starts_at").first()
    finance = Officer.objects.filter(unit__code="finance", status=Officer.Status.ACTIVE).first()
    user_id = missed.user_id if missed is not None else finance.user_id if finance is not None else None
    if user_id is None:
        return 0
    mine = held.filter(user_id=user_id)
    for invitation in mine.filter(attendance=Invitation.Attendance.PRESENT).order_by("meeting__starts_at")[
            :max(0, 2 - mine.filter(attendance=Invitation.Attendance.ABSENT).count())]:
        invitation.attendance = Invitation.Attendance.ABSENT
        invitation.response = Invitation.Response.PENDING
        invitation.minutes_read_at = None
        invitation._change_reason = "seed_demo"
        invitation.save(update_fields=["attendance", "response", "minutes_read_at"])
    return sweep_meeting_absences(now)
