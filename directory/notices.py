"""Notices of the directory app (the outbox: liaison.notifications.write,
in the transaction that records the report)."""
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from infoflow import people
from liaison import notifications
from officers.models import RoleAssignment


def sync_report_ready(report) -> list:
    """HR (hr_admin holders and deputies): the nightly directory sync found
    differences to look at. Names only counts (the people are on the page)."""
    url = reverse("directory:report", args=[report.pk])
    out = []
    with override(None):
        subject = _("目录同步发现 %(count)s 处人员差异") % {"count": report.difference_count}
        body = _("新增 %(new)s 人，信息变化 %(changed)s 人，目录中已无 %(missing)s 人，目录中已停用 %(disabled)s 人。请核对。") % {
            "new": report.new_count, "changed": report.changed_count, "missing": report.missing_count,
            "disabled": report.disabled_count}
    for user in people.people_with_role(RoleAssignment.Role.HR_ADMIN):
        out.append(notifications.build(
            recipient=user, key=f"directory-sync:{report.pk}", kind="other", subject=subject, body=body, url=url,
            confidentiality="internal"))
    notifications.write(out)
    return out
