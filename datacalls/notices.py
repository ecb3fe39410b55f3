"""The notices of data calls, one named function per occasion (the pattern
of infoflow.notices): a service or a sweep calls them inside its transaction
and they hand the rows to ``liaison.notifications.write`` (the outbox), so a
notice is committed with the change it reports or not at all. Who is told
comes from ``infoflow.people`` (officers, head, supervising leader, with
deputies in force); nobody is told of their own action. Texts are built in
settings.NOTIFY_LANGUAGE; sweeps' notices are claimed by the case's
``notice_at`` cursor (liaison.sweeps), the unique key is only a backstop.
"""
from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from infoflow import people
from infoflow.notices import in_notify_language
from liaison import notifications
from officers.models import RoleAssignment


def _fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def answer_url(answer) -> str:
    return reverse("datacalls:answer", args=[answer.pk])


def occurrence_url(occurrence) -> str:
    return reverse("datacalls:occurrence", args=[occurrence.pk])


def _rows(users, *, key, kind, subject, body, url, due=None, actor=None) -> list:
    return [
        notifications.build(recipient=user, key=key, kind=kind, subject=subject, body=body, url=url, due=due)
        for user in people.without(users, actor)
    ]


def _what(answer) -> str:
    occurrence = answer.occurrence
    return _("报送任务“%(title)s”（%(period)s）") % {"title": occurrence.call.title, "period": occurrence.period}


@in_notify_language
def occurrence_opened(occurrence, answers, *, actor=None) -> list:
    """A new occurrence: each recipient unit's officers are asked to answer."""
    out = []
    for answer in answers:
        out += _rows(
            people.unit_people(answer.unit, people.OFFICERS), key="datacall:answer:%d:opened" % answer.pk,
            kind="task", url=answer_url(answer), due=occurrence.due_at, actor=actor,
            subject=_("报送任务：%(title)s") % {"title": occurrence.call.title},
            body=_("请在 %(due)s 前填报%(what)s。") % {"due": _fmt(occurrence.due_at), "what": _what(answer)},
        )
    notifications.write(out)
    return out


@in_notify_language
def answer_reminder(answer) -> list:
    out = _rows(
        people.unit_people(answer.unit, people.OFFICERS), key="datacall:answer:%d:reminder" % answer.pk,
        kind="reminder", url=answer_url(answer), due=answer.occurrence.due_at,
        subject=_("即将截止：%(title)s") % {"title": answer.occurrence.call.title},
        body=_("%(what)s 将于 %(due)s 截止，请尽快填报。") % {"what": _what(answer),
                                                            "due": _fmt(answer.occurrence.due_at)},
    )
    notifications.write(out)
    return out


@in_notify_language
def answer_overdue(answer) -> list:
    """Late: the unit's officers and its head (the first step of escalation)."""
    out = _rows(
        people.unit_people(answer.unit, (people.OFFICERS, people.HEAD)), key="datacall:answer:%d:overdue" % answer.pk,
        kind="overdue", url=answer_url(answer), due=answer.occurrence.due_at,
        subject=_("已逾期：%(title)s") % {"title": answer.occurrence.call.title},
        body=_("%(unit)s 尚未报送%(what)s，已超过截止时间，请尽快报送。") % {"unit": answer.unit.name,
                                                                 "what": _what(answer)},
    )
    notifications.write(out)
    return out


@in_notify_language
def answer_escalated(answer) -> list:
    """Still late a working day on: the supervising leader."""
    out = _rows(
        people.unit_people(answer.unit, people.SUPERVISING_LEADER), key="datacall:answer:%d:escalated" % answer.pk,
        kind="escalation", url=answer_url(answer), due=answer.occurrence.due_at,
        subject=_("逾期未报送：%(title)s") % {"title": answer.occurrence.call.title},
        body=_("%(unit)s 逾期一个工作日仍未报送%(what)s，请督促。") % {"unit": answer.unit.name,
                                                            "what": _what(answer)},
    )
    notifications.write(out)
    return out


@in_notify_language
def reminded(answers, *, actor, stamp: str) -> list:
    """The secretariat's one-click reminder (催报) of the units still out."""
    out = []
    for answer in answers:
        out += _rows(
            people.unit_people(answer.unit, people.OFFICERS), key="datacall:answer:%d:chase:%s" % (answer.pk, stamp),
            kind="chase", url=answer_url(answer), due=answer.occurrence.due_at, actor=actor,
            subject=_("催报：%(title)s") % {"title": answer.occurrence.call.title},
            body=_("秘书处提醒：请尽快报送%(what)s。") % {"what": _what(answer)},
        )
    notifications.write(out)
    return out


@in_notify_language
def review_requested(answer, *, actor) -> list:
    out = _rows(
        people.unit_people(answer.unit, people.HEAD), key="datacall:answer:%d:review:%d" % (
            answer.pk, answer.history.count()),
        kind="task", url=answer_url(answer), due=answer.occurrence.due_at, actor=actor,
        subject=_("待审核：%(title)s") % {"title": answer.occurrence.call.title},
        body=_("%(unit)s 的%(what)s 已填好，请审核后报送。") % {"unit": answer.unit.name, "what": _what(answer)},
    )
    notifications.write(out)
    return out


@in_notify_language
def returned(answer, *, actor) -> list:
    out = _rows(
        people.unit_people(answer.unit, people.OFFICERS), key="datacall:answer:%d:returned:%d" % (
            answer.pk, answer.history.count()),
        kind="other", url=answer_url(answer), actor=actor,
        subject=_("已退回：%(title)s") % {"title": answer.occurrence.call.title},
        body=_("%(what)s 被退回，理由：%(reason)s。请修改后重新报送。") % {"what": _what(answer),
                                                           "reason": answer.return_reason},
    )
    notifications.write(out)
    return out


@in_notify_language
def flag_raised(flag) -> list:
    """Two consecutive misses: the unit's head and HR (seed 003)."""
    users = people.unit_people(flag.unit, people.HEAD) + people.people_with_role(RoleAssignment.Role.HR_ADMIN)
    seen, unique = set(), []
    for user in users:
        if user.pk not in seen:
            seen.add(user.pk)
            unique.append(user)
    out = _rows(
        unique, key="datacall:flag:%d" % flag.pk, kind="other", url=reverse("datacalls:flags"),
        subject=_("建议更换联络员：%(unit)s") % {"unit": flag.unit.name},
        body=_("%(unit)s 连续两次未报送“%(title)s”，按规定提出更换联络员人选的建议。") % {
            "unit": flag.unit.name, "title": flag.call.title},
    )
    notifications.write(out)
    return out
