"""The notices of visits, obligations and member changes, one named function
per occasion (the pattern of datacalls.notices): services and sweeps call
them inside their transaction and they hand the rows to
``liaison.notifications.write`` (the outbox). Texts name the external unit and
the deadline only; the visit's findings never leave the portal (the rows are
``internal``: e-mail and robots carry the link, not the text). The sweeps
claim each stage by the case's ``notice_at`` cursor (liaison.sweeps); the
unique key is only a backstop.
"""
from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from infoflow import people
from infoflow.notices import in_notify_language
from liaison import notifications
from officers.models import RoleAssignment

SECRETARIAT = (RoleAssignment.Role.SECRETARIAT, RoleAssignment.Role.SECRETARIAT_LEAD)
REVIEWERS = (*SECRETARIAT, RoleAssignment.Role.ASSOCIATION_SECRETARIAT)


def _fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def _write(users, *, key, kind, subject, body, url, due=None, actor=None) -> list:
    seen, rows = set(), []
    for user in people.without([u for u in users if u is not None], actor):
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(notifications.build(recipient=user, key=key, kind=kind, subject=subject, body=body, url=url,
                                        due=due, confidentiality="internal"))
    notifications.write(rows)
    return rows


# --- follow-up actions of visits -----------------------------------------------------------


def _action_url(action) -> str:
    return reverse("relations:visit-detail", args=[action.visit_id])


def _what(action) -> str:
    return _("走访%(unit)s的跟进事项") % {"unit": action.visit.external_unit.name}


@in_notify_language
def action_assigned(action, *, actor) -> list:
    """A new follow-up action → its owner (not when they entered it themselves)."""
    return _write(people.with_deputies([action.owner_id]), key="relations:action:%d:assigned" % action.pk,
                  kind="task", url=_action_url(action), due=action.due_at, actor=actor,
                  subject=_("走访跟进：%(text)s") % {"text": action.text[:60]},
                  body=_("%(what)s由您负责，请于 %(due)s 前完成并登记结果。") % {
                      "what": _what(action), "due": _fmt(action.due_at)})


@in_notify_language
def action_reminder(action) -> list:
    """Due within a working day → the owner."""
    return _write(people.with_deputies([action.owner_id]), key="relations:action:%d:reminder" % action.pk,
                  kind="reminder", url=_action_url(action), due=action.due_at,
                  subject=_("走访跟进即将到期：%(text)s") % {"text": action.text[:60]},
                  body=_("%(what)s应于 %(due)s 前完成，请及时办理并登记结果。") % {
                      "what": _what(action), "due": _fmt(action.due_at)})


@in_notify_language
def action_overdue(action) -> list:
    """Past its due time → the owner."""
    return _write(people.with_deputies([action.owner_id]), key="relations:action:%d:overdue" % action.pk,
                  kind="overdue", url=_action_url(action), due=action.due_at,
                  subject=_("走访跟进已超期：%(text)s") % {"text": action.text[:60]},
                  body=_("%(what)s应于 %(due)s 前完成，现已超期，请尽快办理。") % {
                      "what": _what(action), "due": _fmt(action.due_at)})


@in_notify_language
def action_escalated(action) -> list:
    """Still open a working day after its due time → the visiting unit's head and supervising leader."""
    return _write(people.unit_people(action.visit.unit, (people.HEAD, people.SUPERVISING_LEADER)),
                  key="relations:action:%d:escalated" % action.pk, kind="escalation", url=_action_url(action),
                  due=action.due_at, subject=_("走访跟进超期未办：%(text)s") % {"text": action.text[:60]},
                  body=_("%(owner)s 负责的%(what)s应于 %(due)s 前完成，至今未办结，请督促办理。") % {
                      "owner": _name(action.owner), "what": _what(action), "due": _fmt(action.due_at)})


# --- obligations ----------------------------------------------------------------------------


def _occurrence_url(occurrence) -> str:
    return reverse("relations:occurrence-detail", args=[occurrence.pk])


def owner_people(obligation) -> list:
    """Who does it: the person responsible (with deputies in force), else the owner unit's officers and head."""
    if obligation.owner_user_id:
        return people.with_deputies([obligation.owner_user_id])
    return people.unit_people(obligation.owner_unit)


def _occurrence(occurrence) -> dict:
    obligation = occurrence.obligation
    return {"body": obligation.body.name, "title": obligation.title, "due": occurrence.due_on.isoformat()}


@in_notify_language
def occurrence_upcoming(occurrence) -> list:
    """A few working days before the due date → who does it."""
    return _write(owner_people(occurrence.obligation), key="relations:occurrence:%d:before" % occurrence.pk,
                  kind="reminder", url=_occurrence_url(occurrence),
                  subject=_("对外事项即将到期：%(title)s") % _occurrence(occurrence),
                  body=_("应于 %(due)s 前向%(body)s办理“%(title)s”，办结后请上传凭证。") % _occurrence(occurrence))


@in_notify_language
def occurrence_due(occurrence) -> list:
    """On the due date → who does it."""
    return _write(owner_people(occurrence.obligation), key="relations:occurrence:%d:due" % occurrence.pk,
                  kind="reminder", url=_occurrence_url(occurrence),
                  subject=_("对外事项今日到期：%(title)s") % _occurrence(occurrence),
                  body=_("今天（%(due)s）是向%(body)s办理“%(title)s”的截止日期，请今日办结并上传凭证。")
                  % _occurrence(occurrence))


@in_notify_language
def occurrence_late(occurrence) -> list:
    """Not done by the due date → who does it, the owner unit's head and supervising leader, the secretariat."""
    obligation = occurrence.obligation
    users = [*owner_people(obligation), *people.people_with_role(*SECRETARIAT)]
    if obligation.owner_unit_id:
        users += people.unit_people(obligation.owner_unit, (people.HEAD, people.SUPERVISING_LEADER))
    return _write(users, key="relations:occurrence:%d:late" % occurrence.pk, kind="escalation",
                  url=_occurrence_url(occurrence),
                  subject=_("对外事项已逾期：%(title)s") % _occurrence(occurrence),
                  body=_("向%(body)s办理“%(title)s”的截止日期 %(due)s 已过，尚未办结，请督促办理。")
                  % _occurrence(occurrence))


# --- member changes --------------------------------------------------------------------------


def _change_url(change) -> str:
    return reverse("relations:member-change-detail", args=[change.pk])


@in_notify_language
def member_change_submitted(change, *, actor) -> list:
    """A member unit reported a change → the reviewers."""
    return _write(people.people_with_role(*REVIEWERS), key="relations:member-change:%d:submitted" % change.pk,
                  kind="task", url=_change_url(change), actor=actor,
                  subject=_("会员单位信息变更待审核：%(unit)s") % {"unit": change.unit.name},
                  body=_("%(unit)s 报送了基本信息变更，请审核。") % {"unit": change.unit.name})


@in_notify_language
def member_change_decided(change, *, actor) -> list:
    """Approved or returned → the officer who reported it."""
    if change.state == change.State.APPROVED:
        subject = _("会员单位信息变更已通过：%(unit)s") % {"unit": change.unit.name}
        body = _("%(unit)s 的基本信息变更已审核通过并更新。") % {"unit": change.unit.name}
    else:
        subject = _("会员单位信息变更被退回：%(unit)s") % {"unit": change.unit.name}
        body = _("%(unit)s 的基本信息变更被退回，请查看退回理由，修改后重新报送。") % {"unit": change.unit.name}
    return _write([change.submitted_by], key="relations:member-change:%d:%s" % (change.pk, change.state),
                  kind="other", url=_change_url(change), actor=actor, subject=subject, body=body)
