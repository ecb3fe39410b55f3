"""WeCom and DingTalk single sign-on (OAuth 2.0 web login: 扫码登录 on a
computer, in-app login inside the WeCom / DingTalk client).

``authorize_url`` builds where the browser goes; the view keeps ``state``
in the session and refuses a callback whose state differs. ``sign_in``
turns the callback's code into one of our users:

1. the platform's user id (WeCom auth/getuserinfo; DingTalk users/me +
   getbyunionid, see wecom.py / dingtalk.py);
2. the user HR linked to that id (ExternalAccount, filled in the admin, by a
   contacts import or by an earlier login);
3. else the one active user whose StaffProfile phone is the platform's
   mobile number — then linked for next time;
4. otherwise refused: an unknown id, a mobile number shared by several
   users (ambiguous), a used or expired code, a visitor who is not a member
   of the corp, an account switched off or locked. Each refusal writes a
   login_failed audit row naming the platform id and the reason.
"""
import urllib.parse

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _

from liaison import audit
from liaison.models import AuditEntry
from liaison.normalize import normalize_phone
from liaison.security import locked_until

from . import dingtalk, services, wecom
from .errors import PlatformError, SignInRefused
from .models import ExternalAccount, MessengerApp

User = get_user_model()
PLATFORMS = (MessengerApp.Platform.WECOM, MessengerApp.Platform.DINGTALK)


def login_app(platform: str) -> MessengerApp | None:
    """The platform's application when sign-in is on and the secret set, else None."""
    if platform not in PLATFORMS:
        return None
    secret = settings.DIRECTORY_WECOM_SECRET if platform == "wecom" else settings.DIRECTORY_DINGTALK_SECRET
    if not secret:
        return None
    return MessengerApp.objects.filter(platform=platform, login_enabled=True).first()


def authorize_url(app: MessengerApp, *, redirect_uri: str, state: str, in_app: bool) -> str:
    """Where the browser signs in. WeCom: the QR login page
    (login.work.weixin.qq.com/wwlogin/sso/login, login_type=CorpApp) or, inside
    the WeCom client, the OAuth page (open.weixin.qq.com/connect/oauth2/
    authorize, scope snsapi_base, #wechat_redirect). DingTalk: the unified
    login page (login.dingtalk.com/oauth2/auth) for both."""
    if app.platform == MessengerApp.Platform.WECOM:
        if in_app:
            query = urllib.parse.urlencode({
                "appid": app.corp_id, "redirect_uri": redirect_uri, "response_type": "code",
                "scope": "snsapi_base", "state": state, "agentid": app.agent_id})
            return f"{settings.DIRECTORY_WECOM_OAUTH}?{query}#wechat_redirect"
        query = urllib.parse.urlencode({
            "login_type": "CorpApp", "appid": app.corp_id, "agentid": app.agent_id,
            "redirect_uri": redirect_uri, "state": state})
        return f"{settings.DIRECTORY_WECOM_QR_LOGIN}?{query}"
    query = urllib.parse.urlencode({
        "redirect_uri": redirect_uri, "response_type": "code", "client_id": app.app_key,
        "scope": "openid corpid", "state": state, "prompt": "consent", "corpId": app.corp_id})
    return f"{settings.DIRECTORY_DINGTALK_LOGIN}?{query}"


def _refuse(platform: str, reason: str, message: str, *, external_id: str = "", request=None, user=None):
    label = MessengerApp.Platform(platform).label
    audit.record(
        AuditEntry.Action.LOGIN_FAILED, user=user, request=request, result=AuditEntry.Result.FAILURE,
        username=(user.get_username() if user else "")[:150],
        detail="%s 登录被拒绝（%s）：外部账号 %s" % (label, reason, external_id or "-"),
    )
    raise SignInRefused(message, reason=reason, external_id=external_id)


def user_for(platform: str, *, userid: str, mobile: str) -> tuple:
    """(user, how) for a platform user: ("linked") by ExternalAccount, or
    ("mobile") the single active user with that mobile number. Raises
    SignInRefused(reason="unknown" | "ambiguous")."""
    if userid:
        account = ExternalAccount.objects.filter(source=platform, external_id=userid).select_related("user").first()
        if account is not None:
            return account.user, "linked"
    phone = normalize_phone(mobile or "")
    if phone:
        # A mobile number may be stored with a +86 prefix or without.
        bare = phone[3:] if phone.startswith("+86") else phone
        candidates = list(
            User.objects.filter(is_active=True)
            .filter(Q(profile__phone=bare) | Q(profile__phone="+86" + bare))
            .exclude(external_accounts__source=platform)
            .distinct()[:2]
        )
        if len(candidates) > 1:
            raise SignInRefused(
                _("您的手机号对应平台上的多个账号，无法确定是哪一位。请联系人力资源部在“外部账号”中登记您的企业微信/钉钉账号。"),
                reason="ambiguous", external_id=userid)
        if candidates:
            return candidates[0], "mobile"
    raise SignInRefused(
        _("平台上没有与您的企业微信/钉钉账号对应的用户。请联系人力资源部登记后再登录。"),
        reason="unknown", external_id=userid)


def sign_in(platform: str, *, code: str, request=None):
    """The user for a callback's ``code`` (see module docstring). Links the
    platform id when matched by mobile. Raises SignInRefused (audited) or
    PlatformError when the platform cannot be reached."""
    app = login_app(platform)
    if app is None:
        _refuse(platform, "not configured", _("该登录方式未启用。"), request=request)
    if not code:
        _refuse(platform, "no code", _("登录凭证缺失，请重新扫码。"), request=request)
    try:
        if platform == MessengerApp.Platform.WECOM:
            userid = wecom.user_id_for_code(app, code)
            mobile = ""
            if userid and not ExternalAccount.objects.filter(source=platform, external_id=userid).exists():
                # Only when HR has not linked the id: user/get gives the mobile number
                # (WeCom gives it to applications allowed to read contacts).
                mobile = wecom.user_get(app, userid).get("mobile", "")
        else:
            found = dingtalk.user_for_code(app, code)
            if found["corp_id"] and found["corp_id"] != app.corp_id:
                _refuse(platform, "other corp", _("请使用本单位的钉钉账号登录。"), request=request)
            userid, mobile = found["userid"], found["mobile"]
    except PlatformError as error:
        if error.code in wecom.INVALID_CODE or error.code == "expired_code":
            _refuse(platform, "expired code", _("登录凭证已失效或已被使用，请重新扫码。"), request=request)
        raise
    if not userid:
        _refuse(platform, "not a member", _("您不是本单位企业微信/钉钉通讯录中的成员，无法登录。"), request=request)
    try:
        user, how = user_for(platform, userid=userid, mobile=mobile)
    except SignInRefused as refused:
        _refuse(platform, refused.reason, refused.message, external_id=userid, request=request)
    if not user.is_active:
        _refuse(platform, "inactive", _("您的账号已停用，无法登录。"), external_id=userid, request=request, user=user)
    if locked_until(user.get_username()) is not None:
        _refuse(platform, "locked", _("您的账号因多次登录失败已被临时锁定，请稍后再试。"), external_id=userid,
                request=request, user=user)
    if how == "mobile":
        services.link_account(user=user, source=platform, external_id=userid, how="mobile")
    return user
