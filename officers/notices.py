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
