"""Per-user work messages: WeCom 应用消息 and DingTalk 工作通知 as channels
of liaison.notifications, against the local server (issue 20 §3)."""
import pytest
from django.urls import reverse

from directory.models import ExternalAccount
from liaison.models import Notification, NotificationPreference
from liaison.notifications import DeliveryFailed, deliver, notify, undelivered
from tests.factories import UserFactory
from tests.infoflow.export_helpers import local, make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(platforms, settings):
    settings.NOTIFY_LANGUAGE = "zh-hans"
    user = UserFactory(username="alice", first_name="爱丽丝", email="")
    ExternalAccount.objects.create(user=user, source="wecom", external_id="alice-wx")
    ExternalAccount.objects.create(user=user, source="dingtalk", external_id="alice-dd")
    platforms.state.wecom_users["alice-wx"] = {"name": "爱丽丝"}
    return user


def _notify(user, **kw):
    args = {"key": "k", "kind": "overdue", "subject": "季度通报", "body": "华东区下滑两成", "url": "/items/7/"}
    args.update(kw)
    return notify(recipient=user, **args)


def test_each_platform_gets_one_card_with_what_item_deadline_link(platforms, alice, market, officer_market):
    item = make_item(unit=market, initiator=officer_market, subject="季度通报", summary="华东区下滑两成")
    n = _notify(alice, item=item, due=local(2025, 10, 9, 17, 30))

    deliver(n.pk)
    deliver(n.pk)

    sent = dict(platforms.state.messages)
    assert len(platforms.state.messages) == 2
    card = sent["wecom"]
    assert card["touser"] == "alice-wx" and card["msgtype"] == "textcard" and card["agentid"] == 1000002
    text = card["textcard"]["description"]
    assert "待办事项已超期" in text and item.number in text and "2025-10-09 17:30" in text
    assert card["textcard"]["url"] == "https://liaison.example.cn/items/7/"
    assert "两成" not in text  # an internal item: never its content
    notice = sent["dingtalk"]
    assert notice["userid_list"] == "alice-dd" and notice["msg"]["msgtype"] == "action_card"
    assert item.number in notice["msg"]["action_card"]["markdown"] and "两成" not in str(notice)
    row = Notification.objects.get()
    assert (row.wecom_state, row.wecom_attempts, row.dingtalk_state, row.dingtalk_attempts) == ("sent", 1, "sent", 1)


def test_restricted_item_card_has_no_subject(platforms, alice, market, officer_market):
    item = make_item(unit=market, initiator=officer_market, subject="并购谈判", confidentiality="restricted")

    deliver(_notify(alice, item=item, subject="并购谈判").pk)

    assert platforms.state.messages and all("并购" not in str(body) for _p, body in platforms.state.messages)
    assert all(item.number in str(body) for _p, body in platforms.state.messages)


def test_token_is_cached_between_messages(platforms, alice):
    deliver(_notify(alice, key="a").pk)
    deliver(_notify(alice, key="b").pk)

    assert platforms.state.token_requests == 2  # one per platform, reused for the second notice
    assert len(platforms.state.messages) == 4


def test_expired_token_is_fetched_again_and_the_message_sent_once(platforms, alice):
    deliver(_notify(alice, key="a").pk)
    platforms.state.expire_tokens_once = True  # the next call answers 42001

    outcome = deliver(_notify(alice, key="b").pk)

    assert outcome["wecom"] == "sent" and outcome["dingtalk"] == "sent"
    assert platforms.state.token_requests == 3
    assert len([m for m in platforms.state.messages if m[0] == "wecom"]) == 2


def test_token_the_platform_no_longer_knows_is_replaced(platforms, alice):
    deliver(_notify(alice, key="a").pk)
    platforms.state.tokens.clear()  # 40014 for the cached tokens

    outcome = deliver(_notify(alice, key="b").pk)

    assert outcome == {**outcome, "wecom": "sent", "dingtalk": "sent"}


def test_rate_limit_is_retried_later_without_using_up_a_try(platforms, alice):
    platforms.state.rate_limit_next = 2  # one 45009 for WeCom, one 90018 for DingTalk
    n = _notify(alice)

    with pytest.raises(DeliveryFailed):
        deliver(n.pk)

    row = Notification.objects.get()
    assert (row.wecom_state, row.wecom_attempts) == ("failed", 0)
    assert "45009" in row.wecom_error and "90018" in row.dingtalk_error
    assert not platforms.state.messages
    outcome = deliver(n.pk)
    assert (outcome["wecom"], outcome["dingtalk"]) == ("sent", "sent")
    assert len(platforms.state.messages) == 2


def test_failure_is_visible_to_the_user_and_retried(platforms, alice, client, settings):
    settings.DIRECTORY_WECOM_API = "http://127.0.0.1:1"
    n = _notify(alice)

    with pytest.raises(DeliveryFailed):
        deliver(n.pk)

    row = Notification.objects.get()
    assert row.wecom_state == "failed" and row.wecom_attempts == 1 and row.dingtalk_state == "sent"
    client.force_login(alice)
    assert "企业微信工作通知发送失败" in client.get(reverse("notification-list")).content.decode()
    Notification.objects.filter(pk=n.pk).update(wecom_claimed_at=local(2020, 1, 1, 0, 0))
    assert n.pk in undelivered()


def test_user_without_a_platform_id_is_skipped(platforms, settings):
    bob = UserFactory(username="bob", email="")

    outcome = deliver(_notify(bob).pk)

    assert (outcome["wecom"], outcome["dingtalk"]) == ("skipped", "skipped")
    assert not platforms.state.messages


def test_user_who_turned_a_channel_off_gets_only_the_other(platforms, alice):
    NotificationPreference.objects.create(user=alice, wecom=False)

    outcome = deliver(_notify(alice).pk)

    assert (outcome["wecom"], outcome["dingtalk"]) == ("skipped", "sent")


def test_preferences_page_offers_both_channels(platforms, alice, client):
    client.force_login(alice)

    response = client.post(reverse("notification-preferences"), {"email": "on", "dingtalk": "on"})

    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=alice)
    assert (pref.wecom, pref.dingtalk) == (False, True)


def test_without_the_platforms_configured_notices_do_not_queue_the_channels(settings, db):
    settings.DIRECTORY_WECOM_SECRET = ""
    settings.DIRECTORY_DINGTALK_SECRET = ""
    user = UserFactory(username="carol")

    n = _notify(user)

    assert (n.wecom_state, n.dingtalk_state) == ("skipped", "skipped")
