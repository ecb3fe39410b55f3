"""The bulletin's notices, one named function per occasion (the pattern of
infoflow.notices): called inside the service's transaction, rows written
through ``liaison.notifications.write`` (the outbox)."""
from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from infoflow import people
from infoflow.notices import in_notify_language
from liaison import notifications


@in_notify_language
def issue_published(issue, entries, *, actor=None) -> list:
    """An issue is published: each included item's submitter is told that
    the item was adopted into it (once per submitter)."""
    url = reverse("briefs:detail", args=[issue.pk])
    submitters = {}
    for entry in entries:
        submitters.setdefault(entry.item.initiator_id, (entry.item.initiator, []))[1].append(entry.item_number)
    rows = []
    for user, numbers in submitters.values():
        if not people.without([user], actor):
            continue
        rows.append(notifications.build(
            recipient=user, key="briefs:issue:%d:published:%d" % (issue.pk, user.pk), kind="other", url=url,
            subject=_("信息已编入%(title)s%(number)s") % {"title": issue.title, "number": issue.number_label},
            body=_("您报送的信息 %(numbers)s 已被编入%(title)s%(number)s（公司采用）。") % {
                "numbers": "、".join(numbers), "title": issue.title, "number": issue.number_label},
            confidentiality="public",
        ))
    notifications.write(rows)
    return rows
