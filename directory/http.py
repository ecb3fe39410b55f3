"""JSON over HTTPS to WeCom and DingTalk (urllib, a timeout; the one retry on
an expired token is token_call's, others are the callers'), and their shared
cached access token. ``request_json`` answers (status, body as dict)."""
import json
import logging
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from .errors import PlatformError, TokenInvalid

logger = logging.getLogger(__name__)
MAX_ANSWER = 4 * 1024 * 1024


def url_with(base: str, path: str, params: dict | None = None) -> str:
    url = base.rstrip("/") + path
    if params:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
    return url


def request_json(url: str, *, body=None, headers: dict | None = None, method: str | None = None) -> tuple[int, dict]:
    """GET (no body) or POST ``body`` as JSON; the answer's status and JSON
    object. Raises PlatformError when the server cannot be reached or does
    not answer JSON (the message names no secret: URLs carry tokens)."""
    data = None
    all_headers = {"Accept": "application/json"}
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        all_headers["Content-Type"] = "application/json; charset=utf-8"
    all_headers.update(headers or {})
    request = urllib.request.Request(url, data=data, headers=all_headers, method=method or ("POST" if data else "GET"))
    host = urllib.parse.urlsplit(url).netloc
    try:
        with urllib.request.urlopen(request, timeout=settings.DIRECTORY_HTTP_TIMEOUT) as response:
            status, raw = response.status, response.read(MAX_ANSWER)
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read(MAX_ANSWER)
    except (urllib.error.URLError, OSError) as error:
        raise PlatformError(_("无法连接 %(host)s，请稍后重试。") % {"host": host}, code="unreachable",
                            detail=str(error)) from None
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        raise PlatformError(_("%(host)s 的应答无法识别。") % {"host": host}, code=status,
                            detail=repr(raw[:200])) from None
    if not isinstance(answer, dict):
        raise PlatformError(_("%(host)s 的应答无法识别。") % {"host": host}, code=status)
    return status, answer


def cached_token(key: str, fetch, *, refresh: bool = False) -> str:
    """A platform's access token from the cache under ``key`` unless
    ``refresh``; otherwise ``fetch()`` (the checked gettoken answer, a dict
    with ``access_token`` and ``expires_in`` in seconds) and keep it five
    minutes less than it lives. Used by both WeCom and DingTalk."""
    if not refresh:
        token = cache.get(key)
        if token:
            return token
    answer = fetch()
    token = answer["access_token"]
    cache.set(key, token, max(60, int(answer.get("expires_in", 7200)) - 300))
    return token


def token_call(base: str, path: str, *, token, check, forget, params: dict | None = None,
               body: dict | None = None) -> dict:
    """One API call with ``token(refresh)``; ``check(answer, path)`` raises
    TokenInvalid on an expired or refused token (WeCom / DingTalk 40014,
    42001), and then the token is forgotten, fetched again and the call made
    once more. Raises what ``check`` raises."""
    for attempt in (0, 1):
        _status, answer = request_json(url_with(base, path, {**(params or {}), "access_token": token(attempt == 1)}),
                                       body=body)
        try:
            return check(answer, path)
        except TokenInvalid:
            forget()
            if attempt == 1:
                raise
    raise AssertionError("unreachable")
