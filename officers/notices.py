"""The organisation's notices (written through the outbox, liaison.notifications)."""
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from liaison import notifications

from .models import RoleAssignment
from .selectors import role_holders


def _filing_url(filing) -> str:
    try:
        return reverse("admin:officers_changefiling_change", args=[filing.pk])
    except NoReverseMatch:
        return reverse("officers:directory")


def _fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _write(filing, key, subject, body) -> list:
    out = [
        notifications.build(recipient=user, key=key, kind="filing_due", subject=subject, body=body,
                            url=_filing_url(filing), due=filing.due_at)
        for user in role_holders(RoleAssignment.Role.HR_ADMIN)
    ]
    notifications.write(out)
    return out


def filing_due(filing) -> list:
    """An officer change filing due within a working day → HR."""
    with translation.override(settings.NOTIFY_LANGUAGE or settings.LANGUAGE_CODE):
        return _write(
            filing, "filing:%d:due" % filing.pk,
            _("变更报备即将到期：%(registration)s") % {"registration": filing.registration},
            _("%(registration)s 的%(reason)s应于 %(due)s 前向备案机关报备，请及时办理。")
            % {"registration": filing.registration, "reason": filing.get_reason_display(), "due": _fmt(filing.due_at)},
        )


def filing_late(filing) -> list:
    """An officer change filing past its due time and not filed → HR."""
    with translation.override(settings.NOTIFY_LANGUAGE or settings.LANGUAGE_CODE):
        return _write(
            filing, "filing:%d:late" % filing.pk,
            _("变更报备超期：%(registration)s") % {"registration": filing.registration},
            _("%(registration)s 的%(reason)s应于 %(due)s 前报备，现已超期，请尽快报备并上传凭证。")
            % {"registration": filing.registration, "reason": filing.get_reason_display(), "due": _fmt(filing.due_at)},
        )


# --- work reports, replacement flags, accountability (issue 14 §3–5) --------------


def _send(users, *, key, kind, subject, body, url, due=None) -> list:
    seen, out = set(), []
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        out.append(notifications.build(recipient=user, key=key, kind=kind, subject=subject, body=body, url=url,
                                       due=due))
    notifications.write(out)
    return out


def _language():
    return translation.override(settings.NOTIFY_LANGUAGE or settings.LANGUAGE_CODE)


def _period(report) -> str:
    return report.period_start.strftime("%Y-%m")


def report_reminder(report) -> list:
    """The due day of an unfiled work report → the officer."""
    with _language():
        return _send([report.officer.user], key="workreport:%d:remind" % report.pk, kind="reminder",
                     subject=_("请于今日提交 %(period)s 工作报告") % {"period": _period(report)},
                     body=_("%(period)s 的工作报告应于 %(due)s 前提交给部门负责人。")
                     % {"period": _period(report), "due": _fmt(report.due_at)},
                     url=reverse("officers:work-report", args=[report.pk]), due=report.due_at)


def report_late(report) -> list:
    """An unfiled work report past its due time → the officer and the head."""
    with _language():
        return _send([report.officer.user, report.unit.head], key="workreport:%d:late" % report.pk, kind="overdue",
                     subject=_("工作报告逾期未交：%(officer)s %(period)s")
                     % {"officer": report.officer, "period": _period(report)},
                     body=_("%(officer)s 的 %(period)s 工作报告应于 %(due)s 前提交，现已逾期。")
                     % {"officer": report.officer, "period": _period(report), "due": _fmt(report.due_at)},
                     url=reverse("officers:work-report", args=[report.pk]), due=report.due_at)


def report_submitted(report) -> list:
    """A filed work report → the head of the unit, to read and comment."""
    with _language():
        return _send([report.unit.head], key="workreport:%d:submitted" % report.pk, kind="task",
                     subject=_("请批阅工作报告：%(officer)s %(period)s")
                     % {"officer": report.officer, "period": _period(report)},
                     body=_("%(officer)s 已提交 %(period)s 工作报告，请阅示。")
                     % {"officer": report.officer, "period": _period(report)},
                     url=reverse("officers:work-report", args=[report.pk]))


def report_commented(report) -> list:
    """The head's comment → the officer."""
    with _language():
        return _send([report.officer.user], key="workreport:%d:comment:%s" % (report.pk, report.commented_at.isoformat()),
                     kind="task", subject=_("工作报告已批阅：%(period)s") % {"period": _period(report)},
                     body=_("部门负责人已批阅您的 %(period)s 工作报告。") % {"period": _period(report)},
                     url=reverse("officers:work-report", args=[report.pk]))


def flag_raised(flag) -> list:
    """A new replacement flag → the head of the officer's unit and HR."""
    with _language():
        return _send([flag.unit.head, *role_holders(RoleAssignment.Role.HR_ADMIN)], key="officerflag:%d" % flag.pk,
                     kind="task", subject=_("联络员更换提示：%(officer)s") % {"officer": flag.officer},
                     body=_("%(officer)s：%(summary)s。请决定保留（说明理由）或更换。")
                     % {"officer": flag.officer, "summary": flag.summary},
                     url=reverse("officers:flag", args=[flag.pk]))


def case_recorded(case) -> list:
    """A new accountability case → the officer concerned."""
    with _language():
        return _send([case.officer.user], key="accountability:%d" % case.pk, kind="task",
                     subject=_("问责记录：%(kind)s") % {"kind": case.get_kind_display()},
                     body=_("监督部门登记了一条涉及您的问责记录（%(kind)s），请登录平台查看处理结果和整改要求。")
                     % {"kind": case.get_kind_display()},
                     url=reverse("officers:case", args=[case.pk]), due=None)
