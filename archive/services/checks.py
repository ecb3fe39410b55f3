"""The integrity check run by ``verify_archive`` and the daily task: records
the run and, from the task, tells the secretariat about failures (log, audit
row, e-mail to users with the secretariat role; notifications come later)."""
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import audit
from officers.models import RoleAssignment
from officers.roles import users_with_role

from ..models import VerificationRun
from ..verify import verify

log = logging.getLogger("archive.verify")


def run_verification(*, anchor=None, check_files=True, notify=True):
    started = timezone.now()
    result = verify(anchor, check_files=check_files)
    VerificationRun.objects.create(
        started_at=started, finished_at=timezone.now(), ok=result.ok, records=result.records,
        audit_rows=result.audit_rows, failures=[[label, message] for label, message in result.failures[:500]],
    )
    if not result.ok and notify:
        report_failures(result)
    return result


def report_failures(result):
    labels = result.failing_labels
    log.error("verify_archive failed for %s", ", ".join(labels))
    audit.record(audit.Action.OTHER, result=audit.Result.FAILURE, username="system",
                 detail="verify_archive: " + "; ".join("%s: %s" % f for f in result.failures[:50]))
    recipients = sorted({
        u.email for role in (RoleAssignment.Role.SECRETARIAT, RoleAssignment.Role.SECRETARIAT_LEAD)
        for u in users_with_role(role) if u.email
    })
    if recipients:
        # No content of records in the mail (domain: e-mails carry a link).
        body = _("档案完整性校验发现 %(n)s 处问题，涉及：%(labels)s。请登录平台查看四性检测报告：%(url)s") % {
            "n": len(result.failures), "labels": "、".join(labels[:20]),
            "url": settings.SITE_URL.rstrip("/") + "/archive/report/"}
        send_mail(_("档案完整性校验未通过"), body, None, recipients, fail_silently=True)
