"""The notices of the incident register, one named function per occasion
(the pattern of infoflow.notices): a service or the sweep calls them inside
its transaction and they hand the rows to ``liaison.notifications.write``
(the outbox). Every row is ``restricted``: e-mail and group robots carry
neither the subject nor the text, only what kind of notice it is and the
link (liaison.notifications.safe_text); the portal's notification centre
shows the number and title to the recipient, who may open the incident.
Nobody is told of their own action. Keys: one notice per case per step
(``incident:<pk>:r<round>:<step>``); sweeps claim by the cursor, the key is
only a backstop.
"""
from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from infoflow import people
from infoflow.notices import in_notify_language
from liaison import notifications
from officers.models import RoleAssignment

Role = RoleAssignment.Role


def incident_url(incident) -> str:
    return reverse("incidents:detail", args=[incident.pk])


def _fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _unique(users) -> list:
    seen, out = set(), []
    for user in users:
        if user.pk not in seen:
            seen.add(user.pk)
            out.append(user)
    return out


def _write(users, *, incident, step: str, kind: str, subject: str, body: str, actor=None, due=None) -> list:
    key = "incident:%d:r%d:%s" % (incident.pk, incident.round, step)
    rows = [notifications.build(recipient=user, key=key, kind=kind, subject=subject, body=body,
                                url=incident_url(incident), confidentiality="restricted", due=due)
            for user in people.without(_unique(users), actor)]
    notifications.write(rows)
    return rows


def secretariat() -> list:
    return people.people_with_role(Role.SECRETARIAT, Role.SECRETARIAT_LEAD)


def secretariat_lead() -> list:
    """The secretariat lead (秘书处负责人); the secretariat when nobody holds that role."""
    return people.people_with_role(Role.SECRETARIAT_LEAD) or people.people_with_role(Role.SECRETARIAT)


def _label(incident) -> str:
    return "%s %s" % (incident.number, incident.title)


@in_notify_language
def registered(incident, *, actor) -> list:
    """A new incident: the secretariat and supervision are told at once."""
    users = secretariat() + people.people_with_role(Role.SUPERVISION)
    return _write(users, incident=incident, step="registered", kind="task", actor=actor, due=incident.due_at,
                  subject=_("新登记安全事件：%(label)s") % {"label": _label(incident)},
                  body=_("%(severity)s 安全事件已登记，请安排处置。") % {"severity": incident.severity.name})


@in_notify_language
def assigned(incident, *, actor, stamp: str) -> list:
    """The named handler is told (each assignment once)."""
    if incident.handler is None:
        return []
    return _write(people.with_deputies([incident.handler_id]), incident=incident, step="assigned:%s" % stamp,
                  kind="task", actor=actor, due=incident.due_at,
                  subject=_("请处置安全事件：%(label)s") % {"label": _label(incident)},
                  body=_("请在 %(due)s 前完成处置并结案。") % {"due": _fmt(incident.due_at)})


def _handlers(incident) -> list:
    if incident.handler_id:
        return people.with_deputies([incident.handler_id])
    return secretariat()


@in_notify_language
def reminder(incident, *, number: int) -> list:
    """Every ``remind_days`` working days while open: the handler (the secretariat while nobody is named)."""
    return _write(_handlers(incident), incident=incident, step="remind:%d" % number, kind="reminder",
                  due=incident.due_at,
                  subject=_("安全事件尚未结案：%(label)s") % {"label": _label(incident)},
                  body=_("安全事件仍在处置中，请记录处置措施，处置完毕后结案（时限 %(due)s）。") % {
                      "due": _fmt(incident.due_at)})


@in_notify_language
def escalated(incident) -> list:
    """Past the severity's time limit: the secretariat lead (once per round)."""
    return _write(secretariat_lead(), incident=incident, step="escalated", kind="escalation", due=incident.due_at,
                  subject=_("安全事件超过处置时限：%(label)s") % {"label": _label(incident)},
                  body=_("%(severity)s 安全事件已超过处置时限 %(due)s 仍未结案，请督促。") % {
                      "severity": incident.severity.name, "due": _fmt(incident.due_at)})


@in_notify_language
def closed(incident, *, actor) -> list:
    """The reporter learns the incident is closed."""
    return _write(people.with_deputies([incident.reporter_id]), incident=incident, step="closed", kind="other",
                  actor=actor,
                  subject=_("安全事件已结案：%(label)s") % {"label": _label(incident)},
                  body=_("您登记的安全事件已结案。"))


@in_notify_language
def reopened(incident, *, actor) -> list:
    """Reopened: the handler (or the secretariat) takes it up again."""
    return _write(_handlers(incident), incident=incident, step="reopened", kind="task", actor=actor,
                  due=incident.due_at,
                  subject=_("安全事件重新处置：%(label)s") % {"label": _label(incident)},
                  body=_("安全事件已重新打开，请继续处置（时限 %(due)s）。") % {"due": _fmt(incident.due_at)})
