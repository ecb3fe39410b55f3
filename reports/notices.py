"""The notices of reports to leaders: a named leader is told a report was
sent, with the link only. Every row is ``restricted``: e-mail and group
robots carry no subject and no figure (liaison.notifications.safe_text),
the leader reads the report in the portal."""
from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from infoflow import people
from infoflow.notices import in_notify_language
from liaison import notifications


@in_notify_language
def report_sent(report, leaders, *, actor=None) -> list:
    rows = [notifications.build(recipient=user, key="report:%d:sent" % report.pk, kind="other",
                                subject=_("请阅：%(title)s") % {"title": report.title},
                                body=_("报告已生成，请登录平台查阅。"),
                                url=reverse("reports:detail", args=[report.pk]), confidentiality="restricted")
            for user in people.without(leaders, actor)]
    notifications.write(rows)
    return rows
