"""Notices of the information library (the pattern of suggestions.notices):
named functions called inside the transaction of the change, handing rows to
``liaison.notifications.write`` (the outbox). A need's notice goes to the
active officers of its department (``infoflow.people.unit_people``, deputies
in force included) who may see what it points at — never to the actor. The
notice names a restricted entry by nothing but its department; e-mail and
group text follow ``liaison.notifications.safe_text`` (no text of internal
or restricted entries leaves the portal). One key per (need, entry) and
(need, item): ``library:need:<need>:entry:<entry>``.
"""
from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from infoflow import people
from infoflow.notices import in_notify_language
from infoflow.visibility import can_view
from liaison import notifications

from .models import NeedMatch
from .selectors import entries_visible_to


def entry_url(entry) -> str:
    return reverse("library:entry", args=[entry.pk])


def need_officers(need, actor=None) -> list:
    """The department's officers (with deputies in force), never the actor."""
    return people.without(people.unit_people(need.unit, people.OFFICERS), actor)


@in_notify_language
def entry_matches_need(match: NeedMatch, *, actor=None) -> list:
    """A new library entry matches the department's need."""
    need, entry = match.need, match.entry
    recipients = [u for u in need_officers(need, actor) if entries_visible_to(u).filter(pk=entry.pk).exists()]
    if entry.is_restricted:
        subject = _("资料库有符合本部门信息需求的新资料（限定范围）")
    else:
        subject = _("符合本部门信息需求的新资料：%(title)s") % {"title": entry.title}
    body = _("“%(need)s”：%(department)s 在资料库录入了新资料（%(category)s），请登录平台查看。") % {
        "need": need.title, "department": entry.department.name, "category": entry.category.name}
    rows = [notifications.build(recipient=user, key="library:need:%d:entry:%d" % (need.pk, entry.pk), kind="library",
                                subject=subject, body=body, url=entry_url(entry),
                                confidentiality=entry.confidentiality)
            for user in recipients]
    notifications.write(rows)
    return rows


@in_notify_language
def item_matches_need(match: NeedMatch, *, actor=None, how: str = "completed") -> list:
    """A completed or released information item matches the department's need."""
    need, item = match.need, match.item
    recipients = [u for u in need_officers(need, actor) if can_view(u, item)]
    what = _("已发布") if how == "released" else _("已办结")
    subject = _("符合本部门信息需求的信息%(what)s：%(number)s") % {"what": what, "number": item.number or item.pk}
    body = _("“%(need)s”：信息 %(number)s %(what)s，请登录平台查看。") % {
        "need": need.title, "number": item.number or item.pk, "what": what}
    rows = [notifications.build(recipient=user, key="library:need:%d:item:%d" % (need.pk, item.pk), kind="library",
                                subject=subject, body=body, url=reverse("infoflow:item-detail", args=[item.pk]),
                                item=item, confidentiality=item.confidentiality)
            for user in recipients]
    notifications.write(rows)
    return rows
