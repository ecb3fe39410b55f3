"""JSON over HTTPS to WeCom and DingTalk (urllib, a timeout, no retries
here: callers decide). ``request_json`` answers (status, body as dict)."""
import json
import logging
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import PlatformError

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
