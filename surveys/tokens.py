"""Wrong survey links are rate-limited per client (the receipts' way,
suggestions.receipts): SURVEY_TOKEN_LIMIT wrong tokens within
SURVEY_TOKEN_WINDOW_MINUTES block the client's token pages until the window
ends. The counter lives in Django's cache under a keyed hash of the IP."""
from __future__ import annotations

import hmac

from django.conf import settings
from django.core.cache import cache

from liaison import audit


def _limit() -> int:
    return int(getattr(settings, "SURVEY_TOKEN_LIMIT", 20))


def _window() -> int:
    return int(getattr(settings, "SURVEY_TOKEN_WINDOW_MINUTES", 15)) * 60


def _key(request) -> str:
    ip = audit.client_ip(request) or "-"
    return "surveys:token:%s" % hmac.new(settings.SECRET_KEY.encode(), ip.encode(), "sha256").hexdigest()[:32]


def is_blocked(request) -> bool:
    return (cache.get(_key(request)) or 0) >= _limit()


def count_failure(request) -> int:
    key = _key(request)
    cache.add(key, 0, timeout=_window())
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=_window())
        return 1
