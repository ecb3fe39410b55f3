"""Login lockout (django-axes) with a real sliding window, and its page.

The rule (settings): LOGIN_FAILURE_LIMIT failed logins for one username
within LOGIN_FAILURE_WINDOW_MINUTES lock that username for
LOGIN_LOCKOUT_MINUTES, counted from the failure that reached the limit.

Plain axes counts failures since the last reset inside one cool-off period,
so four failures at 09:00 and one at 09:25 would lock with a 30-minute
cool-off even though they were not "within 15 minutes". Here the counter is
axes' own AccessFailureLog (one row per failure with its time): a username is
locked while some failure of the last LOCKOUT minutes closed a run of LIMIT
failures that fit inside the window. A successful login and the admin's
unlock (``axes.utils.reset(username=...)``) delete the username's failure
rows; the permanent record of every failure is the audit log (liaison.audit).

No row lock is taken: the lock is derived from the failure rows on every
attempt, so two concurrent failures that each see only four can at worst
miss the lockout page and audit row for that one request; the next attempt
finds five rows in the window and is refused.

Locking is by username only, whether or not the account exists, and the
page is the same either way, so the lockout reveals nothing about accounts.
"""
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessFailureLog
from axes.signals import user_locked_out
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone

from liaison import audit


def lockout_cooloff(request=None):
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    # The same words whether or not the user exists (no account enumeration).
    return render(request, "registration/locked.html", {"minutes": settings.LOGIN_LOCKOUT_MINUTES}, status=403)


def locked_until(username: str, now=None):
    """When ``username``'s lock ends, or None if it is not locked at ``now``."""
    if not username:
        return None
    now = now or timezone.now()
    limit = settings.LOGIN_FAILURE_LIMIT
    window = timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    lockout = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    # Only failures that can still matter: a lock starting after now - lockout,
    # and the window of failures leading up to it.
    times = list(
        AccessFailureLog.objects.filter(
            username=username, attempt_time__gt=now - lockout - window, attempt_time__lte=now
        )
        .order_by("attempt_time")
        .values_list("attempt_time", flat=True)
    )
    until = None
    for i in range(limit - 1, len(times)):
        closes_a_run = times[i] - times[i - limit + 1] < window
        if closes_a_run and times[i] > now - lockout:
            until = times[i] + lockout
    return until


class WindowedAxesHandler(AxesDatabaseHandler):
    """Axes' database handler counting failures in a sliding window (module
    docstring). AccessAttempt rows are not used."""

    def _username(self, request, credentials):
        username = get_client_username(request, credentials)
        return username[:150] if username else username

    def _now(self, request):
        return getattr(request, "axes_attempt_time", None) or timezone.now()

    def get_failures(self, request, credentials=None) -> int:
        """Failures of this username inside the window ending now."""
        username = self._username(request, credentials)
        if not username:
            return 0
        now = self._now(request)
        window = timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
        return AccessFailureLog.objects.filter(
            username=username, attempt_time__gt=now - window, attempt_time__lte=now
        ).count()

    def is_locked(self, request, credentials=None) -> bool:
        return locked_until(self._username(request, credentials), self._now(request)) is not None

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:
            return
        username = self._username(request, credentials)
        if not username or self.is_whitelisted(request, credentials):
            return
        request.axes_credentials = credentials
        now = self._now(request)
        if request.axes_locked_out or self.is_locked(request, credentials):
            # A try against a locked account: refuse it, but do not count it,
            # so hammering a locked account does not prolong the lock.
            request.axes_locked_out = True
            return

        with transaction.atomic():
            failure = AccessFailureLog.objects.create(
                username=username,
                ip_address=request.axes_ip_address,
                user_agent=request.axes_user_agent,
                http_accept=request.axes_http_accept,
                path_info=request.axes_path_info,
                attempt_time=now,
                locked_out=False,
            )
            # AccessFailureLog.attempt_time is auto_now_add: the stored time is
            # a little after the request's, and counting up to the request's
            # time would miss this very failure (no lock, no lockout row).
            # Count up to the stored time instead.
            now = request.axes_attempt_time = failure.attempt_time
            request.axes_failures_since_start = self.get_failures(request, credentials)
            if locked_until(username, now) is not None:
                failure.locked_out = True
                failure.save(update_fields=["locked_out"])
                request.axes_locked_out = True
                # Sent once, when the lock begins (the audit log's lockout row).
                user_locked_out.send("axes", request=request, username=username, ip_address=request.axes_ip_address)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful login clears the username's counter."""
        username = self._username(request, credentials)
        if not username:
            return 0
        count, _ = AccessFailureLog.objects.filter(username=username).delete()
        return count

    def reset_attempts(self, *, ip_address=None, username=None, ip_or_username=False) -> int:
        """Unlock (``axes.utils.reset``, the admin action, ``axes_reset_username``).
        Each unlock of a username writes one UNLOCK audit row: the acting
        administrator and IP come from the request being served (the admin
        action), none from the command line."""
        was_locked = bool(username) and locked_until(username) is not None
        count = super().reset_attempts(ip_address=ip_address, username=username, ip_or_username=ip_or_username)
        failures = AccessFailureLog.objects.all()
        if username and ip_address and ip_or_username:
            failures = failures.filter(Q(username=username) | Q(ip_address=ip_address))
        elif username or ip_address:
            if username:
                failures = failures.filter(username=username)
            if ip_address:
                failures = failures.filter(ip_address=ip_address)
        deleted, _ = failures.delete()
        if username:
            _record_unlock(username, was_locked, deleted)
        return count + deleted


def _record_unlock(username, was_locked, cleared):
    request = audit.current_request()
    target = audit.user_named(username)
    audit.record(
        audit.Action.UNLOCK,
        request=request,
        obj=target,
        detail=("账户处于锁定状态，已解除；" if was_locked else "账户未处于锁定状态；")
        + "清除 %s 条登录失败记录" % cleared
        + ("" if request is not None else "（命令行解除）")
        + ("" if target is not None else "；用户名 %s 无对应账户" % username),
    )
