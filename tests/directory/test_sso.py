"""WeCom and DingTalk sign-in against a local server answering as their
documented APIs do (issue 20 §2): the happy path and the refusals."""
import urllib.parse

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from directory.models import ExternalAccount
from liaison.models import AuditEntry
from tests.factories import UserFactory

User = get_user_model()
pytestmark = pytest.mark.django_db


def start(client, platform, **extra):
    response = client.get(reverse("directory:sso-start", args=[platform]) + "?next=/notifications/", **extra)
    assert response.status_code == 302
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(response["Location"]).query)
    return response["Location"], query["state"][0]


def callback(client, platform, **params):
    return client.get(reverse("directory:sso-callback", args=[platform]), params)


@pytest.fixture
def zhang(db):
    return UserFactory(username="zhangsan", first_name="张三", profile__phone="13800000001")


def test_login_page_offers_both_platforms(client, platforms):
    page = client.get(reverse("login")).content.decode()

    assert "企业微信扫码登录" in page and "钉钉扫码登录" in page


def test_login_page_offers_nothing_without_secret(client, platforms, settings):
    settings.DIRECTORY_WECOM_SECRET = ""
    settings.DIRECTORY_DINGTALK_SECRET = ""

    assert "扫码登录" not in client.get(reverse("login")).content.decode()


def test_wecom_qr_start_goes_to_the_documented_page_with_state(client, platforms):
    location, state = start(client, "wecom")

    assert location.startswith(platforms.url + "/wwlogin/sso/login?")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    assert query["login_type"] == ["CorpApp"] and query["appid"] == ["ww-corp"] and query["agentid"] == ["1000002"]
    assert query["redirect_uri"] == ["https://liaison.example.cn/directory/sso/wecom/callback/"]
    assert len(state) > 20


def test_wecom_in_app_start_uses_the_oauth_page(client, platforms):
    location, _state = start(client, "wecom", HTTP_USER_AGENT="Mozilla/5.0 wxwork/4.1.0 MicroMessenger/7.0.1")

    assert location.startswith(platforms.url + "/connect/oauth2/authorize?")
    assert location.endswith("#wechat_redirect") and "scope=snsapi_base" in location


def test_wecom_linked_user_signs_in(client, platforms, zhang):
    ExternalAccount.objects.create(user=zhang, source="wecom", external_id="ZhangSan")
    platforms.state.wecom_users["ZhangSan"] = {"name": "张三", "mobile": "13800000001"}
    _location, state = start(client, "wecom")

    response = callback(client, "wecom", code=platforms.state.wecom_code("ZhangSan"), state=state)

    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert client.get("/notifications/").status_code == 200
    assert AuditEntry.objects.filter(action="login", username="zhangsan").count() == 1


def test_wecom_user_found_by_mobile_is_linked(client, platforms, zhang):
    platforms.state.wecom_users["zs"] = {"name": "张三", "mobile": "+86 138 0000 0001"}
    _location, state = start(client, "wecom")

    response = callback(client, "wecom", code=platforms.state.wecom_code("zs"), state=state)

    assert response.status_code == 302, response.content.decode()
    account = ExternalAccount.objects.get(source="wecom", user=zhang)
    assert (account.external_id, account.linked_by) == ("zs", "mobile")


def test_unknown_wecom_id_is_refused_in_chinese_and_audited(client, platforms, zhang):
    platforms.state.wecom_users["stranger"] = {"name": "路人", "mobile": "13900000000"}
    _location, state = start(client, "wecom")

    response = callback(client, "wecom", code=platforms.state.wecom_code("stranger"), state=state)

    assert response.status_code == 403
    assert "平台上没有与您的企业微信/钉钉账号对应的用户" in response.content.decode()
    assert "_auth_user_id" not in client.session
    row = AuditEntry.objects.get(action="login_failed")
    assert "unknown" in row.detail and "stranger" in row.detail


def test_mobile_shared_by_two_users_is_refused_as_ambiguous(client, platforms, zhang):
    UserFactory(username="zhangsan2", profile__phone="13800000001")
    platforms.state.wecom_users["zs"] = {"name": "张三", "mobile": "13800000001"}
    _location, state = start(client, "wecom")

    response = callback(client, "wecom", code=platforms.state.wecom_code("zs"), state=state)

    assert response.status_code == 403
    assert "多个账号" in response.content.decode()
    assert not ExternalAccount.objects.exists()
    assert "ambiguous" in AuditEntry.objects.get(action="login_failed").detail


def test_state_mismatch_is_refused_before_the_code_is_used(client, platforms, zhang):
    ExternalAccount.objects.create(user=zhang, source="wecom", external_id="ZhangSan")
    start(client, "wecom")
    code = platforms.state.wecom_code("ZhangSan")

    response = callback(client, "wecom", code=code, state="forged-state")

    assert response.status_code == 403
    assert "登录请求已失效或不是从本站发起的" in response.content.decode()
    assert code in platforms.state.codes  # never sent to the platform
    assert "state" in AuditEntry.objects.get(action="login_failed").detail


def test_callback_without_a_started_login_is_refused(client, platforms):
    response = callback(client, "wecom", code="x", state="y")

    assert response.status_code == 403


def test_state_is_single_use(client, platforms, zhang):
    ExternalAccount.objects.create(user=zhang, source="wecom", external_id="ZhangSan")
    _location, state = start(client, "wecom")
    callback(client, "wecom", code=platforms.state.wecom_code("ZhangSan"), state=state)
    client.post(reverse("logout"))

    again = callback(client, "wecom", code=platforms.state.wecom_code("ZhangSan"), state=state)

    assert again.status_code == 403


def test_expired_wecom_code_is_refused(client, platforms, zhang):
    _location, state = start(client, "wecom")

    response = callback(client, "wecom", code="used-or-expired", state=state)

    assert response.status_code == 403
    assert "登录凭证已失效或已被使用" in response.content.decode()
    assert "expired code" in AuditEntry.objects.get(action="login_failed").detail


def test_visitor_who_is_not_a_member_is_refused(client, platforms):
    _location, state = start(client, "wecom")

    response = callback(client, "wecom", code=platforms.state.wecom_code(""), state=state)

    assert response.status_code == 403
    assert "不是本单位" in response.content.decode()


def test_inactive_user_is_refused(client, platforms, zhang):
    zhang.is_active = False
    zhang.save()
    ExternalAccount.objects.create(user=zhang, source="wecom", external_id="ZhangSan")
    _location, state = start(client, "wecom")

    response = callback(client, "wecom", code=platforms.state.wecom_code("ZhangSan"), state=state)

    assert response.status_code == 403 and "已停用" in response.content.decode()


def test_dingtalk_start_goes_to_the_unified_login(client, platforms):
    location, _state = start(client, "dingtalk")

    query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    assert location.startswith(platforms.url + "/oauth2/auth?")
    assert query["client_id"] == ["ding-app-key"] and query["response_type"] == ["code"]
    assert query["scope"] == ["openid corpid"]


def test_dingtalk_user_signs_in_by_mobile_and_is_linked(client, platforms, zhang):
    platforms.state.ding_users["union-1"] = {"userid": "manager4431", "mobile": "13800000001", "nick": "张三"}
    _location, state = start(client, "dingtalk")

    response = callback(client, "dingtalk", authCode=platforms.state.ding_code("union-1"), state=state)

    assert response.status_code == 302
    assert ExternalAccount.objects.get(source="dingtalk").user == zhang
    assert ExternalAccount.objects.get(source="dingtalk").external_id == "manager4431"


def test_dingtalk_expired_code_is_refused(client, platforms, zhang):
    _location, state = start(client, "dingtalk")

    response = callback(client, "dingtalk", authCode="stale", state=state)

    assert response.status_code == 403
    assert "登录凭证已失效或已被使用" in response.content.decode()


def test_dingtalk_unknown_id_is_refused(client, platforms, zhang):
    platforms.state.ding_users["union-2"] = {"userid": "someone", "mobile": "13911112222", "nick": "某人"}
    _location, state = start(client, "dingtalk")

    response = callback(client, "dingtalk", authCode=platforms.state.ding_code("union-2"), state=state)

    assert response.status_code == 403
    assert "someone" in AuditEntry.objects.get(action="login_failed").detail


def test_platform_down_says_so_and_logs_nobody_in(client, platforms, settings, zhang):
    _location, state = start(client, "wecom")
    settings.DIRECTORY_WECOM_API = "http://127.0.0.1:1"

    response = callback(client, "wecom", code="abc", state=state)

    assert response.status_code == 502 and "暂时无法连接" in response.content.decode()


def test_start_of_an_unconfigured_platform_is_404(client, platforms, settings):
    settings.DIRECTORY_DINGTALK_SECRET = ""

    assert client.get(reverse("directory:sso-start", args=["dingtalk"])).status_code == 404
    assert client.get(reverse("directory:sso-start", args=["qq"])).status_code == 404


def test_state_older_than_ten_minutes_is_refused(client, platforms, zhang):
    ExternalAccount.objects.create(user=zhang, source="wecom", external_id="ZhangSan")
    with time_machine.travel("2026-03-10 09:00+08:00", tick=False) as clock:
        _location, state = start(client, "wecom")
        clock.move_to("2026-03-10 09:11+08:00")

        response = callback(client, "wecom", code=platforms.state.wecom_code("ZhangSan"), state=state)

    assert response.status_code == 403 and "_auth_user_id" not in client.session


def test_locked_account_cannot_scan_in_either(client, platforms, zhang, settings):
    ExternalAccount.objects.create(user=zhang, source="wecom", external_id="ZhangSan")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "zhangsan", "password": "wrong-password"})
    _location, state = start(client, "wecom")

    response = callback(client, "wecom", code=platforms.state.wecom_code("ZhangSan"), state=state)

    assert response.status_code == 403 and "锁定" in response.content.decode()
    assert "locked" in AuditEntry.objects.filter(action="login_failed").order_by("-pk").first().detail
