"""DingTalk (钉钉) API, as documented at open.dingtalk.com. The login uses
the new OAuth 2.0 flow (统一登录):

- the browser goes to ``login.dingtalk.com/oauth2/auth?client_id=&redirect_uri=
  &response_type=code&scope=openid corpid&prompt=consent&state=`` (a QR code
  on a computer; inside the DingTalk client it authorises at once) and comes
  back with ``authCode`` and ``state``;
- ``POST api.dingtalk.com/v1.0/oauth2/userAccessToken`` {clientId,
  clientSecret, code, grantType: authorization_code} → accessToken, corpId
  (HTTP 400 for a used or expired code);
- ``GET api.dingtalk.com/v1.0/contact/users/me`` (header
  x-acs-dingtalk-access-token) → nick, unionId, mobile;
- ``POST oapi.dingtalk.com/topapi/user/getbyunionid`` with the application's
  token → the member's userid (errcode 60121: not a member).

Work notices (工作通知): ``POST oapi.dingtalk.com/topapi/message/
corpconversation/asyncsend_v2`` with msgtype action_card. The application's
token (``GET oapi.dingtalk.com/gettoken?appkey=&appsecret=``, 7200 s) is
cached and fetched again on 40014 (invalid) / 42001 (expired); 90002 / 90006
/ 90018 / -1 (frequency limits, busy) raise RateLimited. Contacts:
``topapi/v2/department/listsub`` and ``topapi/v2/user/list``.
"""
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from .errors import NotConfigured, PlatformError, RateLimited, TokenInvalid
from .http import cached_token, request_json, token_call, url_with
from .models import MessengerApp

TOKEN_ERRORS = {40014, 42001}
RATE_ERRORS = {90002, 90006, 90018, -1}
NOT_A_MEMBER = 60121


def app() -> MessengerApp:
    """The configured DingTalk application. Raises NotConfigured without one or without the secret."""
    found = MessengerApp.objects.filter(platform=MessengerApp.Platform.DINGTALK).first()
    if found is None or not found.app_key or not settings.DIRECTORY_DINGTALK_SECRET:
        raise NotConfigured(_("钉钉尚未配置（管理后台的应用信息和环境变量 LIAISON_DINGTALK_APP_SECRET）。"))
    return found


def _token_key(application: MessengerApp) -> str:
    return f"directory:dingtalk:token:{application.app_key}"


def access_token(application: MessengerApp, *, refresh: bool = False) -> str:
    def fetch():
        _status, answer = request_json(url_with(settings.DIRECTORY_DINGTALK_OAPI, "/gettoken", {
            "appkey": application.app_key, "appsecret": settings.DIRECTORY_DINGTALK_SECRET}))
        return _check(answer, "gettoken")

    return cached_token(_token_key(application), fetch, refresh=refresh)


def _check(answer: dict, what: str) -> dict:
    code = answer.get("errcode", 0)
    if code == 0:
        return answer
    detail = f"{what}: {code} {answer.get('errmsg', '')}"
    if code in TOKEN_ERRORS:
        raise TokenInvalid(_("钉钉凭证已失效。"), code=code, detail=detail)
    if code in RATE_ERRORS:
        raise RateLimited(_("钉钉接口调用过于频繁，稍后重试。"), code=code, detail=detail)
    raise PlatformError(_("钉钉返回错误 %(code)s：%(message)s") % {"code": code, "message": answer.get("errmsg", "")},
                        code=code, detail=detail)


def call(application: MessengerApp, path: str, *, body: dict | None = None, params: dict | None = None) -> dict:
    """One oapi call with the cached token, fetched again once on 40014/42001."""
    return token_call(settings.DIRECTORY_DINGTALK_OAPI, path, token=lambda refresh: access_token(application, refresh=refresh),
                      check=_check, forget=lambda: cache.delete(_token_key(application)), params=params, body=body)


def user_for_code(application: MessengerApp, code: str) -> dict:
    """{"userid", "mobile", "nick", "corp_id"} for a login ``authCode``.
    Raises PlatformError(code="expired_code") when DingTalk refuses the code;
    ``userid`` is "" for someone who is not a member of the corp."""
    status, answer = request_json(url_with(settings.DIRECTORY_DINGTALK_API, "/v1.0/oauth2/userAccessToken"), body={
        "clientId": application.app_key, "clientSecret": settings.DIRECTORY_DINGTALK_SECRET, "code": code,
        "grantType": "authorization_code"})
    if status == 429:
        raise RateLimited(_("钉钉接口调用过于频繁，稍后重试。"), code=429)
    if status != 200 or not answer.get("accessToken"):
        raise PlatformError(_("登录凭证已失效，请重新扫码。"), code="expired_code",
                            detail=f"{status} {answer.get('code', '')} {answer.get('message', '')}")
    corp_id = answer.get("corpId", "")
    status, me = request_json(url_with(settings.DIRECTORY_DINGTALK_API, "/v1.0/contact/users/me"),
                              headers={"x-acs-dingtalk-access-token": answer["accessToken"]})
    if status != 200:
        raise PlatformError(_("无法读取钉钉用户信息。"), code=status, detail=str(me.get("code", "")))
    userid = ""
    if me.get("unionId"):
        try:
            found = call(application, "/topapi/user/getbyunionid", body={"unionid": me["unionId"]})
        except PlatformError as error:
            if error.code != NOT_A_MEMBER:
                raise
        else:
            userid = (found.get("result") or {}).get("userid", "")
    return {"userid": userid, "mobile": me.get("mobile", ""), "nick": me.get("nick", ""), "corp_id": corp_id}


def send_work_notice(application: MessengerApp, *, userid: str, title: str, markdown: str, url: str) -> dict:
    """工作通知 (action card with one button) to one member."""
    return call(application, "/topapi/message/corpconversation/asyncsend_v2", body={
        "agent_id": int(application.agent_id), "userid_list": userid,
        "msg": {"msgtype": "action_card", "action_card": {
            "title": title[:64], "markdown": markdown, "single_title": _("查看详情"), "single_url": url}},
    })


def departments(application: MessengerApp, root: int = 1) -> list[dict]:
    """[{"id", "name", "parent"}] of the tree under ``root`` (listsub, breadth first)."""
    out, queue = [], [root]
    while queue and len(out) < 5000:
        parent = queue.pop(0)
        answer = call(application, "/topapi/v2/department/listsub", body={"dept_id": parent})
        for d in answer.get("result") or []:
            out.append({"id": str(d["dept_id"]), "name": d.get("name", ""), "parent": str(d.get("parent_id") or "")})
            queue.append(d["dept_id"])
    return out


def people(application: MessengerApp, department_ids: list[str]) -> list[dict]:
    """[{"id", "name", "mobile", "email", "units", "active"}] of the members of these departments."""
    seen: dict[str, dict] = {}
    for dept in department_ids:
        cursor = 0
        while True:
            answer = call(application, "/topapi/v2/user/list", body={"dept_id": int(dept), "cursor": cursor, "size": 100})
            result = answer.get("result") or {}
            for u in result.get("list", []):
                seen.setdefault(u["userid"], {
                    "id": u["userid"], "name": u.get("name", ""), "mobile": u.get("mobile", ""),
                    "email": u.get("email", ""), "units": [str(d) for d in u.get("dept_id_list", [])],
                    "active": u.get("active", True)})
            if not result.get("has_more"):
                break
            cursor = result.get("next_cursor", 0)
    return list(seen.values())
