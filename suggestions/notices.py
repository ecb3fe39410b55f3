"""The notices of the suggestion box, one named function per occasion (the
pattern of datacalls.notices): a service or the sweep calls them inside its
transaction and they hand rows to ``liaison.notifications.write`` (the
outbox). A notice names the case by its number, kind and category only:
never the writer, never the text (issue 17 §3), and the writer is never a
recipient (a signed writer reads the answer in the portal's "my
submissions"; an anonymous one on the receipt page). Unit people come from
``infoflow.people``; nobody is told of their own action.
"""
from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from infoflow import people
from infoflow.notices import in_notify_language
from liaison import notifications

from .models import Case, Handler


def _fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def case_url(case) -> str:
    return reverse("suggestions:case", args=[case.pk])


def _what(case) -> str:
    return _("%(box)s事项 %(number)s（%(kind)s，%(category)s）") % {
        "box": case.get_box_display(), "number": case.number, "kind": case.get_kind_display(),
        "category": case.category.name}


def box_people(box: str, role: str | None = Handler.Role.HANDLER) -> list:
    """The active named people of ``box`` (handlers by default), with deputies in force."""
    rows = Handler.objects.filter(box=box, user__is_active=True)
    if role:
        rows = rows.filter(role=role)
    return people.with_deputies(rows.order_by("user_id").values_list("user_id", flat=True))


def _unique(users) -> list:
    seen, out = set(), []
    for user in users:
        if user.pk not in seen:
            seen.add(user.pk)
            out.append(user)
    return out


def _rows(users, *, key, kind, subject, body, case, due=None, actor=None) -> list:
    return [
        notifications.build(recipient=user, key=key, kind=kind, subject=subject, body=body, url=case_url(case),
                            due=due, confidentiality="restricted")
        for user in people.without(_unique(users), actor)
    ]


def _stamp(case) -> str:
    """Tells one assignment's deadline from the next (a reassigned case is reminded again)."""
    return timezone.localtime(case.due_at).strftime("%Y%m%d%H%M") if case.due_at else "-"


@in_notify_language
def case_received(case: Case) -> list:
    """A new case: the box's handlers (no actor: the writer is never named)."""
    out = _rows(box_people(case.box), key="suggestion:%d:received" % case.pk, kind="task", case=case,
                subject=_("新的%(box)s事项：%(number)s") % {"box": case.get_box_display(), "number": case.number},
                body=_("收到%(what)s，请及时受理并分派。") % {"what": _what(case)})
    notifications.write(out)
    return out


@in_notify_language
def case_assigned(case: Case, *, actor) -> list:
    """Assigned: the unit's officers and head are asked to investigate."""
    out = _rows(people.unit_people(case.unit, people.EVERYONE), actor=actor, case=case, due=case.due_at,
                key="suggestion:%d:assigned:%s" % (case.pk, _stamp(case)), kind="task",
                subject=_("意见箱事项交办：%(number)s") % {"number": case.number},
                body=_("请在 %(due)s 前调查办理%(what)s，并记录调查情况。") % {"due": _fmt(case.due_at),
                                                                   "what": _what(case)})
    notifications.write(out)
    return out


@in_notify_language
def case_supervised(case: Case, *, actor) -> list:
    """A 督办 note: the assigned unit's head and officers."""
    if case.unit_id is None:
        return []
    out = _rows(people.unit_people(case.unit, people.EVERYONE), actor=actor, case=case, due=case.due_at,
                key="suggestion:%d:supervised:%d" % (case.pk, case.notes.count()), kind="chase",
                subject=_("督办：%(number)s") % {"number": case.number},
                body=_("%(what)s 有新的督办意见，请查看并抓紧办理。") % {"what": _what(case)})
    notifications.write(out)
    return out


@in_notify_language
def case_reminder(case: Case) -> list:
    out = _rows(people.unit_people(case.unit, people.EVERYONE), case=case, due=case.due_at,
                key="suggestion:%d:reminder:%s" % (case.pk, _stamp(case)), kind="reminder",
                subject=_("即将到期：%(number)s") % {"number": case.number},
                body=_("%(what)s 将于 %(due)s 到期，请尽快办理。") % {"what": _what(case), "due": _fmt(case.due_at)})
    notifications.write(out)
    return out


@in_notify_language
def case_overdue(case: Case) -> list:
    """Late: the unit's officers and head, and the box's handlers."""
    out = _rows(people.unit_people(case.unit, people.EVERYONE) + box_people(case.box), case=case, due=case.due_at,
                key="suggestion:%d:overdue:%s" % (case.pk, _stamp(case)), kind="overdue",
                subject=_("已逾期：%(number)s") % {"number": case.number},
                body=_("%(unit)s 办理%(what)s 已超过期限 %(due)s。") % {
                    "unit": case.unit.name, "what": _what(case), "due": _fmt(case.due_at)})
    notifications.write(out)
    return out


@in_notify_language
def case_escalated(case: Case) -> list:
    """Still late a working day on: the unit's supervising leader and the box's handlers."""
    out = _rows(people.unit_people(case.unit, people.SUPERVISING_LEADER) + box_people(case.box), case=case,
                due=case.due_at, key="suggestion:%d:escalated:%s" % (case.pk, _stamp(case)), kind="escalation",
                subject=_("逾期未办结：%(number)s") % {"number": case.number},
                body=_("%(unit)s 逾期一个工作日仍未办结%(what)s，请督促。") % {"unit": case.unit.name,
                                                                  "what": _what(case)})
    notifications.write(out)
    return out


@in_notify_language
def investigation_recorded(case: Case, *, actor) -> list:
    """The unit recorded its investigation: the box's handlers."""
    out = _rows(box_people(case.box), actor=actor, case=case,
                key="suggestion:%d:investigation:%d" % (case.pk, case.notes.count()), kind="other",
                subject=_("调查记录：%(number)s") % {"number": case.number},
                body=_("%(what)s 有新的调查记录，请查看后作出处理结论。") % {"what": _what(case)})
    notifications.write(out)
    return out


@in_notify_language
def reward_proposed(case: Case, *, actor) -> list:
    """A reward waits: every named person of the box but the proposer."""
    out = _rows(box_people(case.box, role=None), actor=actor, case=case,
                key="suggestion:%d:reward:%d" % (case.pk, case.reward.pk), kind="task",
                subject=_("奖励待审批：%(number)s") % {"number": case.number},
                body=_("%(what)s 提议奖励 %(amount)s 元，请审批。") % {"what": _what(case),
                                                                "amount": case.reward.amount})
    notifications.write(out)
    return out
