"""WeCom (企业微信) server API, as documented at developer.work.weixin.qq.com:

- ``GET /cgi-bin/gettoken?corpid=&corpsecret=`` → access_token, expires_in (7200 s);
- ``GET /cgi-bin/auth/getuserinfo?access_token=&code=`` → userid (a member) or
  openid (not a member); a used or expired code answers 40029;
- ``GET /cgi-bin/user/get?access_token=&userid=`` → name, mobile, email, department;
- ``POST /cgi-bin/message/send?access_token=`` (应用消息, msgtype textcard);
- ``GET /cgi-bin/department/list`` and ``GET /cgi-bin/user/list?department_id=&fetch_child=1``.

Every answer carries errcode (0 = success). The access token is cached in
Django's cache until five minutes before it expires and fetched again on
42001 (expired) or 40014 (invalid); 45009 / 45033 / -1 (frequency limit,
concurrency, busy) raise RateLimited for the caller to retry later.
"""
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from .errors import NotConfigured, PlatformError, RateLimited, TokenInvalid
from .http import cached_token, request_json, token_call, url_with
from .models import MessengerApp

TOKEN_ERRORS = {40014, 42001}
RATE_ERRORS = {45009, 45033, -1}
INVALID_CODE = {40029, 50001}  # code used, expired or not for this app


def app() -> MessengerApp:
    """The configured WeCom application. Raises NotConfigured without one or without the secret."""
    found = MessengerApp.objects.filter(platform=MessengerApp.Platform.WECOM).first()
    if found is None or not settings.DIRECTORY_WECOM_SECRET:
        raise NotConfigured(_("企业微信尚未配置（管理后台的应用信息和环境变量 LIAISON_WECOM_SECRET）。"))
    return found


def _token_key(application: MessengerApp) -> str:
    return f"directory:wecom:token:{application.corp_id}"


def access_token(application: MessengerApp, *, refresh: bool = False) -> str:
    """The application's access token, from the cache unless ``refresh``."""
    def fetch():
        _status, answer = request_json(url_with(settings.DIRECTORY_WECOM_API, "/cgi-bin/gettoken", {
            "corpid": application.corp_id, "corpsecret": settings.DIRECTORY_WECOM_SECRET}))
        return _check(answer, "gettoken")

    return cached_token(_token_key(application), fetch, refresh=refresh)


def _check(answer: dict, what: str) -> dict:
    code = answer.get("errcode", 0)
    if code == 0:
        return answer
    detail = f"{what}: {code} {answer.get('errmsg', '')}"
    if code in TOKEN_ERRORS:
        raise TokenInvalid(_("企业微信凭证已失效。"), code=code, detail=detail)
    if code in RATE_ERRORS:
        raise RateLimited(_("企业微信接口调用过于频繁，稍后重试。"), code=code, detail=detail)
    raise PlatformError(_("企业微信返回错误 %(code)s：%(message)s") % {"code": code, "message": answer.get("errmsg", "")},
                        code=code, detail=detail)


def call(application: MessengerApp, path: str, *, params: dict | None = None, body: dict | None = None) -> dict:
    """One API call with the cached token; on 42001/40014 the token is fetched
    again and the call made once more. Raises PlatformError / RateLimited."""
    return token_call(settings.DIRECTORY_WECOM_API, path, token=lambda refresh: access_token(application, refresh=refresh),
                      check=_check, forget=lambda: cache.delete(_token_key(application)), params=params, body=body)


def user_id_for_code(application: MessengerApp, code: str) -> str:
    """The member's userid for a login ``code`` (auth/getuserinfo). Raises
    PlatformError with code 40029 for a used or expired code; returns "" for
    a visitor who is not a member of the corp (openid only)."""
    answer = call(application, "/cgi-bin/auth/getuserinfo", params={"code": code})
    return answer.get("userid") or answer.get("UserId") or ""


def user_get(application: MessengerApp, userid: str) -> dict:
    return call(application, "/cgi-bin/user/get", params={"userid": userid})


def send_textcard(application: MessengerApp, *, userid: str, title: str, description: str, url: str) -> dict:
    """应用消息 of type textcard to one member. An unknown member comes back
    in ``invaliduser``: raises PlatformError then."""
    answer = call(application, "/cgi-bin/message/send", body={
        "touser": userid, "msgtype": "textcard", "agentid": int(application.agent_id),
        "textcard": {"title": title[:128], "description": description[:512], "url": url, "btntxt": _("详情")},
        "enable_duplicate_check": 1, "duplicate_check_interval": 1800,
    })
    if answer.get("invaliduser"):
        raise PlatformError(_("企业微信中找不到该成员。"), code="invaliduser", detail=answer.get("invaliduser"))
    return answer


def departments(application: MessengerApp) -> list[dict]:
    """[{"id", "name", "parent"}] of the whole department tree."""
    answer = call(application, "/cgi-bin/department/list")
    return [{"id": str(d["id"]), "name": d.get("name", ""), "parent": str(d.get("parentid") or "")}
            for d in answer.get("department", [])]


def people(application: MessengerApp, root: str = "1") -> list[dict]:
    """[{"id", "name", "mobile", "email", "units", "active"}] of every member under ``root``."""
    answer = call(application, "/cgi-bin/user/list", params={"department_id": root, "fetch_child": 1})
    return [
        {"id": u["userid"], "name": u.get("name", ""), "mobile": u.get("mobile", ""), "email": u.get("email", ""),
         "units": [str(d) for d in u.get("department", [])], "active": u.get("status", 1) == 1}
        for u in answer.get("userlist", [])
    ]
