"""The notices of the appointment workflow (issue 19 §9), one named function
per occasion, written through the outbox (liaison.notifications) inside the
service's transaction. A recommendation's reasons and qualifications never go
into a notice (personal assessment): notices name the unit and the person
only, and the ones about an open recommendation are marked restricted so an
e-mail or group robot carries the link alone. The announcement of a confirmed
appointment goes to every active member of staff (seed 003 第三条
"对符合条件者发文公布"), the way the assessment's commendation does
(officers.assessment_notices)."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from infoflow.notices import in_notify_language
from liaison import notifications

from .models import RoleAssignment
from .selectors import role_holders

DECIDING_ROLES = (RoleAssignment.Role.SECRETARIAT, RoleAssignment.Role.SECRETARIAT_LEAD,
                  RoleAssignment.Role.HR_ADMIN)


def _name(user) -> str:
    return user.get_full_name() or user.username


def _url(rec) -> str:
    return reverse("officers:recommendation", args=[rec.pk])


def _send(users, *, rec, key, kind, subject, body, url=None, confidentiality="restricted", actor=None) -> list:
    seen, rows = set(), []
    for user in users:
        if user is None or user.pk in seen or (actor is not None and user.pk == actor.pk):
            continue
        seen.add(user.pk)
        rows.append(notifications.build(recipient=user, key=key, kind=kind, subject=subject, body=body,
                                        url=url or _url(rec), confidentiality=confidentiality))
    notifications.write(rows)
    return rows


def _what(rec) -> str:
    return _("%(unit)s推荐 %(name)s 任信息联络员") % {"unit": rec.unit.name, "name": _name(rec.candidate)}


@in_notify_language
def recommended(rec, *, actor) -> list:
    """A new recommendation → the secretariat and HR, to interview or confirm."""
    return _send(role_holders(*DECIDING_ROLES), rec=rec, actor=actor, key="recommendation:%d:new" % rec.pk,
                 kind="task", subject=_("联络员推荐待确认：%(unit)s") % {"unit": rec.unit.name},
                 body=_("%(what)s（%(kind)s），请面谈或确认。") % {"what": _what(rec), "kind": rec.get_kind_display()})


@in_notify_language
def interview_scheduled(rec, *, actor) -> list:
    """An interview (or a new time for it) → the candidate and the recommender."""
    when = rec.interview_at.strftime("%Y%m%d%H%M")
    return _send([rec.candidate, rec.recommended_by, rec.unit.head], rec=rec, actor=actor,
                 key="recommendation:%d:interview:%s" % (rec.pk, when), kind="task",
                 subject=_("联络员推荐面谈安排：%(unit)s") % {"unit": rec.unit.name},
                 body=_("%(what)s：秘书处安排面谈，请登录平台查看时间和地点。") % {"what": _what(rec)})


@in_notify_language
def rejected(rec, *, actor) -> list:
    """Not confirmed → the recommender and the unit's head (the reason is on the page)."""
    return _send([rec.recommended_by, rec.unit.head], rec=rec, actor=actor,
                 key="recommendation:%d:rejected" % rec.pk, kind="other",
                 subject=_("联络员推荐未通过：%(unit)s") % {"unit": rec.unit.name},
                 body=_("%(what)s未通过，请登录平台查看理由，如需可重新推荐。") % {"what": _what(rec)})


@in_notify_language
def withdrawn(rec, *, actor) -> list:
    """Withdrawn by the unit → the secretariat and HR."""
    return _send(role_holders(*DECIDING_ROLES), rec=rec, actor=actor,
                 key="recommendation:%d:withdrawn" % rec.pk, kind="other",
                 subject=_("联络员推荐已撤回：%(unit)s") % {"unit": rec.unit.name},
                 body=_("%(what)s已由推荐单位撤回。") % {"what": _what(rec)})


def announcement_text(rec) -> str:
    """The sentence of the announcement (任免公告), as the notice and the page show it."""
    values = {"unit": rec.unit.name, "name": _name(rec.candidate),
              "role": _("主联络员") if rec.is_primary else _("联络员"),
              "date": rec.effective_on.strftime("%Y-%m-%d") if rec.effective_on else ""}
    if rec.replaces_id:
        values["old"] = _name(rec.replaces.user)
        return _("经秘书处确认，%(name)s 自 %(date)s 起任%(unit)s信息%(role)s，接替 %(old)s。") % values
    return _("经秘书处确认，%(name)s 自 %(date)s 起任%(unit)s信息%(role)s。") % values


@in_notify_language
def appointment_announced(rec, *, actor) -> list:
    """The confirmed appointment → every active member of staff (任免公告),
    the candidate and the recommender among them."""
    text = announcement_text(rec)
    url = reverse("officers:appointment-notices")
    subject = _("任免公告：%(unit)s信息联络员") % {"unit": rec.unit.name}
    rows = [
        notifications.build(recipient=user, key="recommendation:%d:announced" % rec.pk, kind="other",
                            subject=subject, body=text, url=url, confidentiality="internal")
        for user in get_user_model().objects.filter(is_active=True).order_by("pk")
    ]
    notifications.write(rows)
    return rows
