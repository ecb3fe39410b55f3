"""Session limits: an idle session ends after SESSION_IDLE_MINUTES (the
session cookie's age, renewed on every request), and any session after
SESSION_MAX_HOURS from login, however active."""
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.translation import gettext as _

LOGIN_AT_KEY = "liaison_login_at"
LAST_SEEN_KEY = "liaison_last_seen"


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
                logout(request)
                messages.info(request, _("会话已超时，请重新登录。"))
                return redirect(f"{settings.LOGIN_URL}?next={request.path}")
            request.session.setdefault(LOGIN_AT_KEY, now)
            request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
