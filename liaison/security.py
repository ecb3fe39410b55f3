"""Login lockout (django-axes) and the messages it shows."""
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.shortcuts import render


def lockout_cooloff(request=None):
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    # The same words whether or not the user exists (no account enumeration).
    return render(request, "registration/locked.html", {"minutes": settings.LOGIN_LOCKOUT_MINUTES}, status=403)


class WindowedAxesHandler(AxesDatabaseHandler):
    """Placeholder until the security work lands: plain axes behaviour."""
