"""Notices of meetings, action items and inductions (officers.meetings,
officers.trainings, officers.meeting_sweeps): one named function per
occasion, called inside the transaction of the change it reports, writing
through the outbox (liaison.notifications)."""
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from liaison import notifications

from .models import RoleAssignment
from .selectors import role_holders


def _fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _meeting_url(meeting) -> str:
    return reverse("officers:meeting-detail", args=[meeting.pk])


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _where(meeting) -> str:
    return meeting.place if meeting.mode == "in_person" else meeting.link


def _meeting_rows(meeting, users, key, subject, body, kind="task", due=None) -> list:
    out = [
        notifications.build(recipient=user, key=key, kind=kind, subject=subject, body=body, url=_meeting_url(meeting),
                            due=due)
        for user in dict.fromkeys(users) if user is not None and user.is_active
    ]
    notifications.write(out)
    return out


def meeting_notice(meeting, invitations) -> list:
    """The meeting notice (seed 003 第七条(三): time, place, agenda) → every invitee."""
    with translation.override(settings.NOTIFY_LANGUAGE or settings.LANGUAGE_CODE):
        body = _("%(title)s 定于 %(when)s 召开（%(mode)s：%(where)s）。议程：%(agenda)s 请登录平台确认参加或请假（请假须委派代表）。") % {
            "title": meeting.title, "when": _fmt(meeting.starts_at), "mode": meeting.get_mode_display(),
            "where": _where(meeting), "agenda": meeting.agenda}
        if meeting.moved_note:
            body += " " + meeting.moved_note
        return _meeting_rows(meeting, [i.user for i in invitations], "meeting:%d:notice" % meeting.pk,
                             _("会议通知：%(title)s") % {"title": meeting.title}, body, due=meeting.starts_at)


def meeting_cancelled(meeting, invitations, reason: str) -> list:
    """A notified meeting was cancelled → every invitee and delegate."""
    with translation.override(settings.NOTIFY_LANGUAGE or settings.LANGUAGE_CODE):
        users = [i.user for i in invitations] + [i.delegate for i in invitations if i.delegate_id]
        return _meeting_rows(meeting, users, "meeting:%d:cancel" % meeting.pk,
                             _("会议取消：%(title)s") % {"title": meeting.title},
                             _("原定 %(when)s 召开的%(title)s已取消。原因：%(reason)s") % {
                                 "when": _fmt(meeting.starts_at), "title": meeting.title, "reason": reason},
                             kind="notice")


def meeting_delegated(invitation) -> list:
    """An invitee asked for leave and named a delegate → the delegate."""
    meeting = invitation.meeting
    with translation.override(settings.NOTIFY_LANGUAGE or settings.LANGUAGE_CODE):
        return _meeting_rows(
            meeting, [invitation.delegate], "meeting:%d:delegate:%d" % (meeting.pk, invitation.delegate_id),
            _("受托参会：%(title)s") % {"title": meeting.title},
            _("%(name)s 因故请假，委派您代为参加 %(when)s 召开的%(title)s（%(where)s）。") % {
                "name": _person(invitation.user), "when": _fmt(meeting.starts_at), "title": meeting.title,
                "where": _where(meeting)},
            kind="delegation", due=meeting.starts_at)


def minutes_distributed(meeting, invitations) -> list:
    """The minutes are out → every invitee and delegate (read receipts follow)."""
    with translation.override(settings.NOTIFY_LANGUAGE or settings.LANGUAGE_CODE):
        users = [i.user for i in invitations] + [i.delegate for i in invitations if i.delegate_id]
        return _meeting_rows(meeting, users, "meeting:%d:minutes" % meeting.pk,
                             _("会议纪要：%(title)s") % {"title": meeting.title},
                             _("%(title)s（%(when)s）的会议纪要已分发，请登录平台阅读。") % {
                                 "title": meeting.title, "when": _fmt(meeting.starts_at)},
                             kind="notice")


def _action_rows(action, users, key, subject, body, kind) -> list:
    return _meeting_rows(action.meeting, users, key, subject, body, kind=kind, due=action.due_at)


def action_assigned(action, actor) -> list:
    """A new action item → its owner (not when they entered it themselves)."""
    if action.owner_id == getattr(actor, "pk", None):
        return []
    with translation.override(settings.NOTIFY_LANGUAGE or settings.LANGUAGE_CODE):
        return _action_rows(action, [action.owner], "action:%d:assigned" % action.pk,
                            _("会议待办：%(text)s") % {"text": action.text[:60]},
                            _("%(meeting)s 决定由您负责：%(text)s，请于 %(due)s 前完成。") % {
                                "meeting": action.meeting.title, "text": action.text, "due": _fmt(action.due_at)},
                            "task")


def action_reminder(action) -> list:
    """An action item due within a working day → its owner."""
    with translation.override(settings.NOTIFY_LANGUAGE or settings.LANGUAGE_CODE):
        return _action_rows(action, [action.owner], "action:%d:reminder" % action.pk,
                            _("会议待办即将到期：%(text)s") % {"text": action.text[:60]},
                            _("会议待办“%(text)s”应于 %(due)s 前完成，请及时办理并登记完成情况。") % {
                                "text": action.text, "due": _fmt(action.due_at)},
                            "reminder")


def action_overdue(action) -> list:
    """An action item past its due time → its owner."""
    with translation.override(settings.NOTIFY_LANGUAGE or settings.LANGUAGE_CODE):
        return _action_rows(action, [action.owner], "action:%d:overdue" % action.pk,
                            _("会议待办已超期：%(text)s") % {"text": action.text[:60]},
                            _("会议待办“%(text)s”应于 %(due)s 前完成，现已超期，请尽快办理。") % {
                                "text": action.text, "due": _fmt(action.due_at)},
                            "overdue")


def action_escalated(action, superiors) -> list:
    """An action item still open a working day after its due time → the
    owner's department heads and the secretariat."""
    with translation.override(settings.NOTIFY_LANGUAGE or settings.LANGUAGE_CODE):
        return _action_rows(action, superiors, "action:%d:escalated" % action.pk,
                            _("会议待办超期未办：%(text)s") % {"text": action.text[:60]},
                            _("%(owner)s 负责的会议待办“%(text)s”应于 %(due)s 前完成，至今未办结，请督促办理。") % {
                                "owner": _person(action.owner), "text": action.text, "due": _fmt(action.due_at)},
                            "escalation")


def _induction_rows(induction, users, key, subject, body, kind) -> list:
    out = [
        notifications.build(recipient=user, key=key, kind=kind, subject=subject, body=body,
                            url=reverse("officers:induction-list"))
        for user in dict.fromkeys(users) if user is not None and user.is_active
    ]
    notifications.write(out)
    return out


def induction_due(induction) -> list:
    """A new officer's induction training due within a week → the officer and HR."""
    officer = induction.officer
    with translation.override(settings.NOTIFY_LANGUAGE or settings.LANGUAGE_CODE):
        return _induction_rows(
            induction, [officer.user, *role_holders(RoleAssignment.Role.HR_ADMIN)], "induction:%d:due" % induction.pk,
            _("岗前培训待完成：%(officer)s") % {"officer": officer},
            _("%(officer)s 的岗前培训应于 %(due)s 前完成，请安排参加。") % {
                "officer": officer, "due": induction.due_on.isoformat()},
            "reminder")


def induction_late(induction) -> list:
    """The induction training is past due → the officer, HR and the unit's head."""
    officer = induction.officer
    head = officer.unit.head
    with translation.override(settings.NOTIFY_LANGUAGE or settings.LANGUAGE_CODE):
        return _induction_rows(
            induction, [officer.user, *role_holders(RoleAssignment.Role.HR_ADMIN), head],
            "induction:%d:late" % induction.pk,
            _("岗前培训已超期：%(officer)s") % {"officer": officer},
            _("%(officer)s 的岗前培训应于 %(due)s 前完成，现已超期，请尽快安排。") % {
                "officer": officer, "due": induction.due_on.isoformat()},
            "overdue")
