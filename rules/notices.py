"""The rules' notices, one named function per occasion, written through the
outbox (liaison.notifications) in the transaction of the change or the
sweep's batch. A notice names the document and version and links to it; the
rules are internal texts, so an e-mail or group robot carries the title and
the link, never the text."""
from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from infoflow.notices import in_notify_language
from liaison import notifications
from officers.models import RoleAssignment
from officers.selectors import role_holders

SECRETARIAT = (RoleAssignment.Role.SECRETARIAT, RoleAssignment.Role.SECRETARIAT_LEAD)


def _fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d")


def _version_url(version) -> str:
    return reverse("rules:version", args=[version.pk])


@in_notify_language
def version_published(version, users) -> list:
    """A new version in force → each officer asked to read and confirm it."""
    doc = version.document
    rows = [
        notifications.build(recipient=user, key="rules:version:%d:confirm" % version.pk, kind="task",
                            subject=_("请阅读并确认制度：%(title)s（%(number)s）") % {"title": doc.title,
                                                                            "number": version.number},
                            body=_("《%(title)s》%(number)s 已发布，自 %(date)s 起施行，请阅读后确认。")
                            % {"title": doc.title, "number": version.number,
                               "date": version.effective_on.strftime("%Y-%m-%d")},
                            url=_version_url(version))
        for user in users
    ]
    notifications.write(rows)
    return rows


@in_notify_language
def induction(officer, versions) -> list:
    """A newly appointed officer → the rules in force to read and confirm (岗前学习)."""
    if not versions:
        return []
    titles = "、".join("《%s》" % v.document.title for v in versions)
    rows = [notifications.build(
        recipient=officer.user, key="rules:induction:%d" % officer.pk, kind="task",
        subject=_("新任联络员请阅读并确认 %(n)d 项制度") % {"n": len(versions)},
        body=_("您已被任命为%(unit)s信息联络员。请阅读并确认：%(titles)s。") % {"unit": officer.unit.name,
                                                                  "titles": titles},
        url=reverse("rules:pending"))]
    notifications.write(rows)
    return rows


@in_notify_language
def confirmation_overdue(confirmation) -> list:
    """Not confirmed within the document's working days → the officer, once."""
    version = confirmation.version
    rows = [notifications.build(
        recipient=confirmation.user_id, key="rules:confirmation:%d:remind" % confirmation.pk, kind="reminder",
        subject=_("请尽快确认已阅读制度：%(title)s") % {"title": version.document.title},
        body=_("《%(title)s》%(number)s 应于 %(date)s 前确认阅读，目前尚未确认。")
        % {"title": version.document.title, "number": version.number, "date": _fmt(confirmation.remind_at)},
        url=_version_url(version), due=confirmation.remind_at)]
    notifications.write(rows)
    return rows


@in_notify_language
def revision_due(document, year: int) -> list:
    """The yearly revision (seed 001 "本制度每年修订一次") → the secretariat, once per document per year."""
    rows = [
        notifications.build(recipient=user, key="rules:document:%d:revision:%d" % (document.pk, year),
                            kind="reminder",
                            subject=_("制度到期修订：%(title)s") % {"title": document.title},
                            body=_("《%(title)s》应于 %(date)s 前完成年度修订，请起草新版本或确认继续施行。")
                            % {"title": document.title, "date": document.revision_due_on.strftime("%Y-%m-%d")},
                            url=reverse("rules:document", args=[document.pk]))
        for user in role_holders(*SECRETARIAT)
    ]
    notifications.write(rows)
    return rows
