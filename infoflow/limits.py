"""Time limits by urgency (settings.TIME_LIMITS), read once when a step opens
or a receiver is sent and stored on the row with their unit: a settings
change moves new deadlines only, never those already running."""
from __future__ import annotations

import datetime as dt

from django.conf import settings

from liaison.workdays import due_after


def limit_of(kind: str, urgency: str) -> tuple[int, str]:
    """(amount, unit) of the ``kind`` limit ("review", "response") for ``urgency``."""
    try:
        amount, unit = settings.TIME_LIMITS[kind][urgency]
    except KeyError:
        raise ValueError("no time limit for %r / %r in settings.TIME_LIMITS" % (kind, urgency)) from None
    return int(amount), unit


def due(moment: dt.datetime, amount: int, unit: str) -> dt.datetime:
    return due_after(moment, amount, unit)
