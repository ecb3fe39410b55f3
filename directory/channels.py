"""Per-user work messages: WeCom 应用消息 (text card) and DingTalk 工作通知
(action card), the ``wecom`` and ``dingtalk`` channels of
liaison.notifications (registered in DirectoryConfig.ready()).

The text is liaison.notifications.safe_text — what happened, which item,
the deadline, the link, and never the content of internal or restricted
items — the same rule as e-mail. A recipient gets a channel when the
platform is configured (MessengerApp with messages on, the secret in the
environment), the user has an id there (ExternalAccount) and has not turned
it off (NotificationPreference). Token refresh is the clients' (wecom.py,
dingtalk.py); a rate-limit answer becomes RetryLater (the try is not
counted); any other failure marks the channel failed, retried with backoff
and shown in the admin's notification list like e-mail.
"""
from django.conf import settings

from liaison.notifications import RetryLater, safe_text

from . import dingtalk, wecom
from .errors import RateLimited
from .models import ExternalAccount, MessengerApp, Source


def wecom_enabled() -> bool:
    """Cheap check when a notice is written: the secret is set."""
    return bool(settings.DIRECTORY_WECOM_SECRET)


def dingtalk_enabled() -> bool:
    return bool(settings.DIRECTORY_DINGTALK_SECRET)


def _external_id(notification, source: str) -> str:
    return (
        ExternalAccount.objects.filter(user_id=notification.recipient_id, source=source)
        .values_list("external_id", flat=True).first() or ""
    )


def _app_on(platform: str) -> bool:
    return MessengerApp.objects.filter(platform=platform, messages_enabled=True).exists()


def wants_wecom(notification) -> bool:
    return wecom_enabled() and _app_on(MessengerApp.Platform.WECOM) and bool(_external_id(notification, Source.WECOM))


def wants_dingtalk(notification) -> bool:
    return (dingtalk_enabled() and _app_on(MessengerApp.Platform.DINGTALK)
            and bool(_external_id(notification, Source.DINGTALK)))


def _link(notification) -> str:
    url = notification.url or "/"
    if "://" in url:
        return url
    return settings.SITE_URL.rstrip("/") + "/" + url.lstrip("/")


def send_wecom(notification) -> None:
    """A text card to the recipient's WeCom id. Raises RetryLater on a rate
    limit, PlatformError / NotConfigured otherwise."""
    subject, text = safe_text(notification)
    try:
        wecom.send_textcard(wecom.app(), userid=_external_id(notification, Source.WECOM), title=subject,
                            description=text, url=_link(notification))
    except RateLimited as error:
        raise RetryLater(error.detail or str(error)) from error


def send_dingtalk(notification) -> None:
    """A work notice (action card) to the recipient's DingTalk id."""
    subject, text = safe_text(notification)
    try:
        dingtalk.send_work_notice(dingtalk.app(), userid=_external_id(notification, Source.DINGTALK), title=subject,
                                  markdown=text.replace("\n", "  \n"), url=_link(notification))
    except RateLimited as error:
        raise RetryLater(error.detail or str(error)) from error
