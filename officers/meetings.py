"""Meetings: scheduling on the working calendar, notice, answers with
delegates, attendance, minutes with read receipts, action items.

Rules (seed 003 第五章 联络员例会制度; domain "Meetings"): the secretariat
(or HR) schedules the 联络员例会 — weekly, monthly, quarterly or yearly, or
ad hoc — in person or remotely (通讯形式); the notice carries time, place and
agenda; an officer who cannot come tells the secretariat and names a
delegate (委派其他联系人参加); the secretary records attendance and the
minutes (会议纪要), which reach everyone concerned, with the action items
followed to done. A coordination meeting about an item (seed 004) is linked
to it.

Every write here is one atomic service taking the acting user: lock, check
state, check the actor, write with history, notices in the same transaction
(officers.notices).
"""
from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from infoflow.files import inspect_upload
from infoflow.people import unit_user_ids
from infoflow.visibility import items_visible_to
from liaison.errors import AttachmentRejected, MeetingInvalid, MeetingNotAllowed, MeetingStateConflict
from liaison.workdays import is_workday

from . import meeting_notices as notices
from .meeting_models import ActionItem, Invitation, Meeting
from .models import Officer, OrgUnit, RoleAssignment
from .roles import roles_of

MAX_OCCURRENCES = 60  # a series is planned at most five years of months ahead
MONTHS = {Meeting.Recurrence.MONTHLY: 1, Meeting.Recurrence.QUARTERLY: 3, Meeting.Recurrence.YEARLY: 12}
# Invitees by role: all active officers, all unit heads, or an organisation role.
INVITE_OFFICERS = "officers"
INVITE_HEADS = "heads"


# --- who may do what -----------------------------------------------------------


def can_manage(user) -> bool:
    """The secretariat and HR schedule meetings and trainings, record
    attendance and minutes (domain: HR / secretariat admin keeps meetings)."""
    r = roles_of(user)
    return r.is_superuser or r.is_secretariat or r.is_hr


def sees_all(user) -> bool:
    """Who sees every meeting: the managers and the leaders (supervising
    leaders and the general manager)."""
    r = roles_of(user)
    return can_manage(user) or r.is_leader or r.is_general_manager


def meetings_visible_to(user) -> QuerySet:
    """Meetings ``user`` may see: all for the secretariat, HR and leaders;
    otherwise those they are invited to or delegated to. Everyone else: 404."""
    if user is None or not user.is_authenticated:
        return Meeting.objects.none()
    if sees_all(user):
        return Meeting.objects.all()
    mine = Invitation.objects.filter(meeting=OuterRef("pk")).filter(Q(user=user) | Q(delegate=user))
    return Meeting.objects.filter(Exists(mine))


def action_items_visible_to(user) -> QuerySet:
    return ActionItem.objects.filter(Q(meeting__in=meetings_visible_to(user)) | Q(owner=user))


# --- the working calendar ------------------------------------------------------


def _add_months(d: dt.date, months: int, day: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _next_workday(d: dt.date) -> dt.date:
    for _i in range(366):
        if is_workday(d):
            return d
        d += dt.timedelta(days=1)
    raise MeetingInvalid(_("一年内没有工作日，请检查工作日历。"))


def occurrence_dates(first: dt.date, recurrence: str, count: int) -> list[tuple[dt.date, dt.date, str]]:
    """``(planned, actual, note)`` of each meeting of a series: the planned
    dates step by the recurrence (a month's day clamped to its length); a
    planned day that is not a working day (holiday or weekend; a 调休
    Saturday is one) moves to the next working day and the note says so. A
    moved meeting that would reach the next planned one is merged into it
    (the note of that one says so), so a series never meets twice a week."""
    if recurrence == Meeting.Recurrence.NONE:
        planned = [first]
    elif recurrence == Meeting.Recurrence.WEEKLY:
        planned = [first + dt.timedelta(weeks=k) for k in range(count)]
    elif recurrence in MONTHS:
        planned = [_add_months(first, MONTHS[recurrence] * k, first.day) for k in range(count)]
    else:
        raise MeetingInvalid(_("未知的重复方式。"))
    out, merged = [], None
    for i, day in enumerate(planned):
        actual = _next_workday(day)
        note = ""
        if actual != day:
            note = _("原定 %(planned)s 为非工作日，顺延至 %(actual)s。") % {
                "planned": day.isoformat(), "actual": actual.isoformat()}
        if merged is not None:
            note = (merged + " " + note).strip()
            merged = None
        if i + 1 < len(planned) and actual >= planned[i + 1]:
            merged = _("原定 %(planned)s 的会议因节假日并入本次。") % {"planned": day.isoformat()}
            continue
        out.append((day, actual, note))
    return out


# --- invitees -------------------------------------------------------------------


def invitees(*, units=(), roles=(), users=()) -> list[tuple[int, int | None]]:
    """``(user id, unit id)`` of everyone invited by unit (its active
    officers), by role (all officers, all heads, an organisation role) or by
    name, each once, in that order."""
    out: dict[int, int | None] = {}
    for unit in units:
        for uid in unit_user_ids(unit, "officers"):
            out.setdefault(uid, unit.pk)
    for role in roles:
        if role == INVITE_OFFICERS:
            rows = Officer.objects.filter(status=Officer.Status.ACTIVE).order_by("unit__sort_order", "-is_primary", "pk")
            for uid, unit_id in rows.values_list("user_id", "unit_id"):
                out.setdefault(uid, unit_id)
        elif role == INVITE_HEADS:
            for uid, unit_id in OrgUnit.objects.filter(is_active=True, head__isnull=False).values_list("head_id", "pk"):
                out.setdefault(uid, unit_id)
        elif role in RoleAssignment.Role.values:
            for uid in RoleAssignment.objects.filter(role=role, user__is_active=True).values_list("user_id", flat=True):
                out.setdefault(uid, None)
        else:
            raise MeetingInvalid(_("未知的参会角色：%(role)s") % {"role": role})
    for user in users:
        out.setdefault(user.pk, None)
    active = set(get_user_model().objects.filter(pk__in=list(out), is_active=True).values_list("pk", flat=True))
    return [(uid, unit_id) for uid, unit_id in out.items() if uid in active]


# --- scheduling -----------------------------------------------------------------


def _check_fields(*, kind, mode, place, link, agenda, title, item, actor):
    if kind not in Meeting.Kind.values:
        raise MeetingInvalid(_("未知的会议类型。"))
    if mode not in Meeting.Mode.values:
        raise MeetingInvalid(_("未知的会议形式。"))
    if not title.strip():
        raise MeetingInvalid(_("请填写会议名称。"))
    if not agenda.strip():
        raise MeetingInvalid(_("请填写会议议程。"))
    if mode == Meeting.Mode.IN_PERSON and not place.strip():
        raise MeetingInvalid(_("现场会议请填写地点。"))
    if mode == Meeting.Mode.REMOTE and not link.strip():
        raise MeetingInvalid(_("远程会议请填写会议链接。"))
    if kind == Meeting.Kind.COORDINATION:
        if item is None:
            raise MeetingInvalid(_("协调会须关联一条信息。"))
        if not items_visible_to(actor).filter(pk=item.pk).exists():
            raise MeetingInvalid(_("找不到该信息，请检查信息编号。"))


@transaction.atomic
def schedule_meetings(
    *,
    actor,
    title: str,
    first_on: dt.date,
    start_time: dt.time,
    agenda: str,
    kind: str = Meeting.Kind.REGULAR,
    recurrence: str = Meeting.Recurrence.NONE,
    count: int = 1,
    duration_minutes: int = 60,
    mode: str = Meeting.Mode.IN_PERSON,
    place: str = "",
    link: str = "",
    item=None,
    units=(),
    roles=(),
    users=(),
) -> list[Meeting]:
    """Create a meeting, or a series of ``count`` meetings (the first is the
    series), each with its invitations, state planned (no notice yet:
    ``send_notice``). Dates follow ``occurrence_dates``. Raises
    MeetingNotAllowed for anyone but the secretariat/HR, MeetingInvalid for
    bad input (no place for an in-person meeting, no link for a remote one,
    no item for a coordination meeting, a first date in the past, nobody
    invited, a count outside 1..60)."""
    if not can_manage(actor):
        raise MeetingNotAllowed(_("只有秘书处或人力资源部可以安排会议。"))
    _check_fields(kind=kind, mode=mode, place=place, link=link, agenda=agenda, title=title, item=item, actor=actor)
    if recurrence == Meeting.Recurrence.NONE:
        count = 1
    if not 1 <= count <= MAX_OCCURRENCES:
        raise MeetingInvalid(_("重复次数须在 1 到 %(max)s 之间。") % {"max": MAX_OCCURRENCES})
    if not 15 <= duration_minutes <= 24 * 60:
        raise MeetingInvalid(_("会议时长须在 15 分钟到 24 小时之间。"))
    if first_on < timezone.localdate():
        raise MeetingInvalid(_("会议日期不能早于今天。"))
    people = invitees(units=units, roles=roles, users=users)
    if not people:
        raise MeetingInvalid(_("请至少邀请一位参会人。"))
    tz = timezone.get_current_timezone()
    meetings, series = [], None
    for planned, actual, note in occurrence_dates(first_on, recurrence, count):
        meeting = Meeting(
            kind=kind, title=title.strip(), recurrence=recurrence, series=series, planned_on=planned,
            starts_at=dt.datetime.combine(actual, start_time, tzinfo=tz), duration_minutes=duration_minutes,
            moved_note=note, mode=mode, place=place.strip(), link=link.strip(), agenda=agenda.strip(), item=item,
            organiser=actor,
        )
        meeting._history_user = actor
        meeting._change_reason = "schedule"
        meeting.save()
        series = series or meeting
        meetings.append(meeting)
        rows = [Invitation(meeting=meeting, user_id=uid, unit_id=unit_id) for uid, unit_id in people]
        bulk_create_with_history(rows, Invitation, default_user=actor, default_change_reason="invite")
    return meetings


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _save(obj, actor, reason, fields):
    obj._history_user = actor
    obj._change_reason = reason
    obj.save(update_fields=fields)


@transaction.atomic
def send_notice(*, meeting: Meeting, actor) -> Meeting:
    """Send the meeting notice (time, place or link, agenda) to every
    invitee: planned → notified. Raises MeetingNotAllowed, or
    MeetingStateConflict when already sent, cancelled or past."""
    meeting = _locked(meeting)
    if not can_manage(actor):
        raise MeetingNotAllowed(_("只有秘书处或人力资源部可以发送会议通知。"))
    if meeting.state != Meeting.State.PLANNED or meeting.starts_at <= timezone.now():
        raise MeetingStateConflict(_("该会议已通知、已召开或已取消，不能再发送通知。"))
    meeting.state = Meeting.State.NOTIFIED
    meeting.notified_at = timezone.now()
    _save(meeting, actor, "notify", ["state", "notified_at"])
    notices.meeting_notice(meeting, list(meeting.invitations.select_related("user")))
    return meeting


@transaction.atomic
def cancel_meeting(*, meeting: Meeting, actor, reason: str) -> Meeting:
    """Cancel a meeting not yet held; invitees already notified are told."""
    meeting = _locked(meeting)
    if not can_manage(actor):
        raise MeetingNotAllowed(_("只有秘书处或人力资源部可以取消会议。"))
    if meeting.state not in (Meeting.State.PLANNED, Meeting.State.NOTIFIED):
        raise MeetingStateConflict(_("会议已召开或已取消，不能取消。"))
    if not reason.strip():
        raise MeetingInvalid(_("请填写取消原因。"))
    was_notified = meeting.state == Meeting.State.NOTIFIED
    meeting.state = Meeting.State.CANCELLED
    _save(meeting, actor, "cancel: " + reason.strip()[:80], ["state"])
    if was_notified:
        notices.meeting_cancelled(meeting, list(meeting.invitations.select_related("user")), reason.strip())
    return meeting


@transaction.atomic
def respond(*, invitation: Invitation, actor, response: str, leave_reason: str = "", delegate=None) -> Invitation:
    """The invitee's answer: attend, or leave with a reason and a named
    delegate (seed 003 第七条(二)), who is told and may then see the meeting.
    Can be changed until the meeting starts. Raises MeetingNotAllowed for
    anyone but the invitee, MeetingStateConflict once it started, was held or
    cancelled, MeetingInvalid for leave without reason or delegate, or the
    invitee as their own delegate."""
    invitation = Invitation.objects.select_for_update().select_related("meeting").get(pk=invitation.pk)
    meeting = invitation.meeting
    if invitation.user_id != actor.pk:
        raise MeetingNotAllowed(_("只有受邀人本人可以答复。"))
    if meeting.state not in (Meeting.State.PLANNED, Meeting.State.NOTIFIED) or meeting.starts_at <= timezone.now():
        raise MeetingStateConflict(_("会议已开始、已召开或已取消，不能再答复。"))
    if response == Invitation.Response.ATTEND:
        invitation.leave_reason, invitation.delegate = "", None
    elif response == Invitation.Response.LEAVE:
        if not leave_reason.strip():
            raise MeetingInvalid(_("请假请填写事由。"))
        if delegate is None:
            raise MeetingInvalid(_("请假须委派一位代表参会。"))
        if delegate.pk == actor.pk or not delegate.is_active:
            raise MeetingInvalid(_("请委派本人以外的在职人员参会。"))
        invitation.leave_reason, invitation.delegate = leave_reason.strip(), delegate
    else:
        raise MeetingInvalid(_("请选择参加或请假。"))
    invitation.response = response
    invitation.responded_at = timezone.now()
    _save(invitation, actor, "respond", ["response", "leave_reason", "delegate", "responded_at"])
    if response == Invitation.Response.LEAVE:
        notices.meeting_delegated(invitation)
    return invitation


@transaction.atomic
def record_attendance(*, meeting: Meeting, actor, attendance: dict[int, str]) -> Meeting:
    """Record who attended (``{invitation pk: Invitation.Attendance}``), once
    the meeting has started: notified/planned → held (may be corrected while
    held). "delegate" needs a delegate named; "excused" needs leave asked.
    Raises MeetingNotAllowed, MeetingStateConflict (not started, cancelled,
    minutes out), MeetingInvalid (unknown invitation or value)."""
    meeting = _locked(meeting)
    if not can_manage(actor):
        raise MeetingNotAllowed(_("只有秘书处或人力资源部可以登记出席情况。"))
    if meeting.state in (Meeting.State.CANCELLED, Meeting.State.MINUTED):
        raise MeetingStateConflict(_("会议已取消或纪要已分发，不能再登记出席情况。"))
    if meeting.starts_at > timezone.now():
        raise MeetingStateConflict(_("会议尚未开始，不能登记出席情况。"))
    rows = {i.pk: i for i in meeting.invitations.select_for_update().order_by("pk")}
    for pk, value in attendance.items():
        invitation = rows.get(int(pk))
        if invitation is None or value not in Invitation.Attendance.values:
            raise MeetingInvalid(_("出席情况有误，请刷新后重新登记。"))
        if value == Invitation.Attendance.DELEGATE and invitation.delegate_id is None:
            raise MeetingInvalid(_("%(name)s 未委派代表，不能登记为代表出席。") % {"name": display_name(invitation.user)})
        if value == Invitation.Attendance.EXCUSED and invitation.response != Invitation.Response.LEAVE:
            raise MeetingInvalid(_("%(name)s 未请假，不能登记为请假。") % {"name": display_name(invitation.user)})
        if invitation.attendance != value:
            invitation.attendance = value
            _save(invitation, actor, "attendance", ["attendance"])
    if meeting.state != Meeting.State.HELD:
        meeting.state = Meeting.State.HELD
        _save(meeting, actor, "held", ["state"])
    return meeting


@transaction.atomic
def distribute_minutes(*, meeting: Meeting, actor, text: str = "", upload=None) -> Meeting:
    """Keep the minutes (text, or an uploaded file checked like any
    attachment) and send them to every invitee and delegate: held →
    minuted. Attendance must be recorded first (nobody left "unknown").
    Raises MeetingNotAllowed, MeetingStateConflict, MeetingInvalid (neither
    text nor file, a refused file)."""
    meeting = _locked(meeting)
    if not can_manage(actor):
        raise MeetingNotAllowed(_("只有秘书处或人力资源部可以分发会议纪要。"))
    if meeting.state != Meeting.State.HELD:
        raise MeetingStateConflict(_("请先登记出席情况；纪要已分发的会议不能重复分发。"))
    if meeting.invitations.filter(attendance=Invitation.Attendance.UNKNOWN).exists():
        raise MeetingStateConflict(_("还有参会人未登记出席情况，请先登记。"))
    if not text.strip() and upload is None:
        raise MeetingInvalid(_("请填写会议纪要或上传纪要文件。"))
    if upload is not None:
        try:
            inspect_upload(upload)
        except AttachmentRejected as e:
            raise MeetingInvalid(e.message) from e
        upload.seek(0)
        meeting.minutes_file.save(upload.name, upload, save=False)
    meeting.minutes_text = text.strip()
    meeting.minutes_at = timezone.now()
    meeting.state = Meeting.State.MINUTED
    _save(meeting, actor, "minutes", ["minutes_text", "minutes_file", "minutes_at", "state"])
    notices.minutes_distributed(meeting, list(meeting.invitations.select_related("user", "delegate")))
    return meeting


def mark_minutes_read(*, invitation: Invitation, actor) -> bool:
    """The read receipt: the invitee opened the distributed minutes. True
    the first time. A claim by conditional update, so two tabs record one
    time (the receipt is not a tracked change: the first moment is kept)."""
    if invitation.user_id != actor.pk or invitation.minutes_read_at is not None:
        return False
    if invitation.meeting.state != Meeting.State.MINUTED:
        return False
    now = timezone.now()
    done = Invitation.objects.filter(pk=invitation.pk, minutes_read_at__isnull=True).update(minutes_read_at=now) == 1
    if done:
        invitation.minutes_read_at = now
    return done


# --- action items ---------------------------------------------------------------


def end_of_working_day(day: dt.date) -> dt.datetime:
    """The close of business of ``day`` (or of the next working day)."""
    day = _next_workday(day)
    end = settings.WORKING_HOURS[-1][1] if settings.WORKING_HOURS else dt.time(17, 30)
    return dt.datetime.combine(day, end, tzinfo=timezone.get_current_timezone())


@transaction.atomic
def add_action_item(*, meeting: Meeting, actor, text: str, owner, due_on: dt.date) -> ActionItem:
    """A decision of a held meeting for ``owner`` by the close of ``due_on``
    (moved to the next working day). The owner is told now; the sweep
    reminds, then escalates (officers.sweeps). Raises MeetingNotAllowed,
    MeetingStateConflict (meeting not held), MeetingInvalid (no text, a date
    in the past, an inactive owner)."""
    meeting = _locked(meeting)
    if not can_manage(actor):
        raise MeetingNotAllowed(_("只有秘书处或人力资源部可以登记待办事项。"))
    if meeting.state not in (Meeting.State.HELD, Meeting.State.MINUTED):
        raise MeetingStateConflict(_("会议召开后才能登记待办事项。"))
    if not text.strip():
        raise MeetingInvalid(_("请填写待办事项内容。"))
    if owner is None or not owner.is_active:
        raise MeetingInvalid(_("请选择在职的责任人。"))
    if due_on < timezone.localdate():
        raise MeetingInvalid(_("完成期限不能早于今天。"))
    action = ActionItem(meeting=meeting, text=text.strip(), owner=owner, due_at=end_of_working_day(due_on))
    action._history_user = actor
    action._change_reason = "assign"
    action.save()
    notices.action_assigned(action, actor)
    return action


@transaction.atomic
def complete_action_item(*, action: ActionItem, actor, note: str = "") -> ActionItem:
    """Mark an action item done (its owner, or the secretariat/HR) with what
    was done. Raises MeetingNotAllowed, MeetingStateConflict when already
    done."""
    action = ActionItem.objects.select_for_update().get(pk=action.pk)
    if action.done_at is not None:
        raise MeetingStateConflict(_("该待办事项已完成。"))
    if actor.pk != action.owner_id and not can_manage(actor):
        raise MeetingNotAllowed(_("只有责任人或秘书处可以办结待办事项。"))
    action.done_at = timezone.now()
    action.done_note = note.strip()[:300]
    _save(action, actor, "done", ["done_at", "done_note"])
    return action


def display_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


# --- reads ----------------------------------------------------------------------


def meeting_list(user, query: str = "") -> QuerySet:
    qs = meetings_visible_to(user).select_related("organiser")
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(agenda__icontains=query) | Q(place__icontains=query))
    return qs.order_by("-starts_at", "-pk")


def attendance_by_meeting(year: int) -> list[dict]:
    """Per held liaison meeting of ``year`` (regular kind, by date): the
    counts of each attendance value — the chart's numbers (issue 14 §7)."""
    rows = (
        Meeting.objects.filter(starts_at__year=year, kind=Meeting.Kind.REGULAR,
                               state__in=(Meeting.State.HELD, Meeting.State.MINUTED))
        .order_by("starts_at", "pk")
        .annotate(**{value: Count("invitations", filter=Q(invitations__attendance=value))
                     for value in ("present", "delegate", "excused", "absent")})
    )
    return [{"meeting": m, "present": m.present, "delegate": m.delegate, "excused": m.excused, "absent": m.absent,
             "total": m.present + m.delegate + m.excused + m.absent} for m in rows]
