"""Session limits and, in strict mode, the periodic password change.

SessionLimitsMiddleware: an idle session ends after SESSION_IDLE_MINUTES (the
session's age on the server, renewed when the last-seen time is written, at
most once a minute), and any session after
SESSION_MAX_HOURS from login, however active. The login time is written by
the user_logged_in receiver (liaison.signals).

PasswordAgeMiddleware: with settings.PASSWORD_STRICT (等保 2.0), a user whose
password is older than PASSWORD_MAX_AGE_DAYS can only reach the password
change page (and log out) until they change it.
"""
import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from liaison.models import PasswordRecord

LOGIN_AT_KEY = "liaison_login_at"
LAST_SEEN_KEY = "liaison_last_seen"
LAST_SEEN_EVERY_SECONDS = 60


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            login_at = request.session.get(LOGIN_AT_KEY, now)
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            too_old = now - login_at > settings.SESSION_MAX_HOURS * 3600
            idle = now - last_seen > settings.SESSION_IDLE_MINUTES * 60
            if too_old or idle:
                # logout() flushes the session server-side, not just the cookie.
                request.liaison_logout_reason = "会话超过最长时间" if too_old else "会话空闲超时"
                logout(request)
                messages.info(request, _("会话已超时，请重新登录。"))
                return redirect(f"{settings.LOGIN_URL}?{urlencode({'next': request.get_full_path()})}")
            request.session.setdefault(LOGIN_AT_KEY, now)
            # Written at most once a minute (issue 12): a write is a session
            # save, an UPDATE and a commit on every page otherwise. The
            # session's expiry moves with it, so store and idle check agree.
            if now - last_seen >= LAST_SEEN_EVERY_SECONDS or LAST_SEEN_KEY not in request.session:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def password_expired(user, now=None) -> bool:
    """Whether strict mode requires ``user`` to change the password now. The
    change time is PasswordRecord (kept by liaison.signals); an account that
    never changed it counts from when it joined."""
    if not settings.PASSWORD_STRICT or not user.is_authenticated or not user.has_usable_password():
        return False
    changed_at = PasswordRecord.objects.filter(user=user).values_list("changed_at", flat=True).first()
    changed_at = changed_at or user.date_joined
    now = now or timezone.now()
    return now - changed_at > timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)


class PasswordAgeMiddleware:
    # Pages an expired user may still reach: changing the password, leaving,
    # switching language, and what is not a page at all.
    allowed_names = ("password_change", "password_change_done", "logout", "set_language", "healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.PASSWORD_STRICT and self._applies(request) and password_expired(request.user):
            target = reverse("password_change")
            messages.warning(
                request,
                _("您的密码已超过 %(days)s 天未修改，请先修改密码。") % {"days": settings.PASSWORD_MAX_AGE_DAYS},
            )
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
        return self.get_response(request)

    def _applies(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        path = request.path_info
        if path.startswith(settings.STATIC_URL):
            return False
        return path not in {reverse(name) for name in self.allowed_names}


class DefaultLanguageMiddleware:
    """Speak settings.LANGUAGE_CODE (简体中文) unless the user chose another
    language with the footer switch (the language cookie).

    Django's LocaleMiddleware would otherwise follow the browser's
    Accept-Language, and many office PCs here run an English-language browser
    or system; the product's users expect Chinese by default. Set
    LIAISON_FOLLOW_BROWSER_LANGUAGE=1 to follow the browser instead. Must sit
    just before LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.FOLLOW_BROWSER_LANGUAGE:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
