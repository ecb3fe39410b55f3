"""The surveys' notices, one named function per occasion (the pattern of
suggestions.notices): services and the sweep call them inside their
transaction and they hand rows to ``liaison.notifications.write`` (the
outbox). A notice names the survey by its title and deadline only, never an
answer, and never who answered an anonymous survey. External contacts have
no account: the secretariat sends them their link, and is told (for a named
survey only) when one has not answered a working day before the deadline.
"""
from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from infoflow import people
from infoflow.notices import in_notify_language
from liaison import notifications

from .models import Recipient, Survey


def _fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _stamp(survey) -> str:
    return timezone.localtime(survey.due_at).strftime("%Y%m%d%H%M") if survey.due_at else "-"


def answer_url(survey) -> str:
    return reverse("surveys:answer", args=[survey.pk])


@in_notify_language
def survey_sent(survey: Survey, recipients, *, actor) -> list:
    """Invitations: each member of staff among ``recipients`` (external ones get their link from the secretariat)."""
    users = people.without([r.user for r in recipients if r.user_id], actor)
    out = [
        notifications.build(
            recipient=user, key="survey:%d:invite:%d" % (survey.pk, user.pk), kind="task",
            subject=_("请填写问卷：%(title)s") % {"title": survey.title},
            body=_("请在 %(due)s 前填写问卷“%(title)s”。") % {"due": _fmt(survey.due_at), "title": survey.title},
            url=answer_url(survey), due=survey.due_at, confidentiality="internal")
        for user in users
    ]
    notifications.write(out)
    return out


@in_notify_language
def recipient_reminder(recipient: Recipient) -> list:
    """A working day before the deadline: the member of staff who has not answered, or for an
    external contact of a named survey, its creator (to remind them by telephone or resend the link)."""
    survey = recipient.survey
    if recipient.user_id:
        out = [notifications.build(
            recipient=recipient.user_id, key="survey:%d:remind:%d:%s" % (survey.pk, recipient.user_id, _stamp(survey)),
            kind="reminder", subject=_("问卷即将截止：%(title)s") % {"title": survey.title},
            body=_("问卷“%(title)s”将于 %(due)s 截止，您尚未填写。") % {"title": survey.title,
                                                                 "due": _fmt(survey.due_at)},
            url=answer_url(survey), due=survey.due_at, confidentiality="internal")]
    elif not survey.anonymous:
        contact = recipient.contact
        out = [notifications.build(
            recipient=survey.created_by_id, kind="reminder",
            key="survey:%d:remind-contact:%d:%s" % (survey.pk, recipient.pk, _stamp(survey)),
            subject=_("外部联系人尚未填写问卷：%(title)s") % {"title": survey.title},
            body=_("%(contact)s 尚未填写问卷“%(title)s”（%(due)s 截止），请电话提醒或重新发送填写链接。") % {
                "contact": str(contact), "title": survey.title, "due": _fmt(survey.due_at)},
            url=reverse("surveys:links", args=[survey.pk]), due=survey.due_at, confidentiality="internal")]
    else:
        out = []  # anonymous: nobody is told who of the outside has not answered
    notifications.write(out)
    return out


@in_notify_language
def survey_closed(survey: Survey, *, actor) -> list:
    """Closed: the people named to see the results (and the creator), so they can read them."""
    ids = [survey.created_by_id, *survey.viewers.values_list("pk", flat=True)]
    out = [
        notifications.build(
            recipient=user, key="survey:%d:closed" % survey.pk, kind="other",
            subject=_("问卷已结束：%(title)s") % {"title": survey.title},
            body=_("问卷“%(title)s”已结束，共收到 %(n)s 份答卷，可以查看结果。") % {
                "title": survey.title, "n": survey.responses_count},
            url=reverse("surveys:results", args=[survey.pk]), confidentiality="internal")
        for user in people.without(people.with_deputies(ids), actor)
    ]
    notifications.write(out)
    return out
