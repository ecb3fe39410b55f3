"""Receipt codes and their rate-limited look-up.

A code is 80 random bits from ``secrets`` written as 16 base32 letters in
four groups (``ABCD-EFGH-JKLM-NPQR``); only its SHA-256 is stored
(Case.receipt_hash), so the database alone cannot answer for anyone.
Plain SHA-256 is enough: the input has 80 bits of entropy, so there is no
dictionary to try.

Look-ups are limited per client: SUGGESTION_TRACK_LIMIT wrong codes within
SUGGESTION_TRACK_WINDOW_MINUTES block the client (every look-up, right or
wrong) until the window ends. The counter lives in Django's cache under a
keyed hash of the client's IP (never the IP itself), and expires with the
window: nothing of the client is kept longer (issue 17 §3).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.core.cache import cache

from liaison import audit

CODE_BYTES = 10  # 80 bits
_CODE = re.compile(r"^[A-Z2-7]{16}$")
# Letters people mistype for the base32 ones (there is no 0, 1 or 8 in base32).
_CONFUSABLE = str.maketrans({"0": "O", "1": "I", "8": "B"})


def new_code() -> tuple[str, str]:
    """(code as shown to the writer, its hash to store)."""
    raw = base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode()
    shown = "-".join(raw[i:i + 4] for i in range(0, 16, 4))
    return shown, digest(raw)


def normalize(text: str) -> str | None:
    """The 16 letters of a typed code (spaces, dashes and case ignored), or
    None when it cannot be a code."""
    letters = re.sub(r"[\s\-_]", "", text or "").upper().translate(_CONFUSABLE)
    return letters if _CODE.match(letters) else None


def digest(code: str) -> str:
    """The stored hash of a normalized code."""
    return hashlib.sha256(code.encode()).hexdigest()


def _limit() -> int:
    return int(getattr(settings, "SUGGESTION_TRACK_LIMIT", 10))


def _window() -> int:
    return int(getattr(settings, "SUGGESTION_TRACK_WINDOW_MINUTES", 15)) * 60


def _key(request) -> str:
    ip = audit.client_ip(request) or "-"
    mark = hmac.new(settings.SECRET_KEY.encode(), ip.encode(), "sha256").hexdigest()[:32]
    return "suggestions:track:%s" % mark


def is_blocked(request) -> bool:
    """Whether this client has used up its wrong tries for the window."""
    return (cache.get(_key(request)) or 0) >= _limit()


def count_failure(request) -> int:
    """Count one wrong code for this client; answers the count so far."""
    key = _key(request)
    cache.add(key, 0, timeout=_window())
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=_window())
        return 1


def window_minutes() -> int:
    return _window() // 60
