"""The group robot channel against a real HTTP server on 127.0.0.1."""
import json
import logging
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from liaison.models import Notification, NotificationPreference
from liaison.notifications import DeliveryFailed, deliver, notify
from tests.factories import UserFactory
from tests.infoflow.export_helpers import local, make_item


class Robot:
    """A stand-in for the WeCom / DingTalk robot: records each POST and
    answers with ``status`` and ``answer``."""

    def __init__(self):
        self.received = []
        self.status = 200
        self.answer = {"errcode": 0, "errmsg": "ok"}
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                robot.received.append(
                    {"path": self.path, "type": self.headers["Content-Type"], "json": json.loads(self.rfile.read(length))}
                )
                body = json.dumps(robot.answer).encode()
                self.send_response(robot.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/cgi-bin/webhook/send?key=test-key"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot(settings):
    robot = Robot()
    settings.NOTIFY_WEBHOOK_URL = robot.url
    settings.NOTIFY_WEBHOOK_KIND = "wecom"
    settings.NOTIFY_WEBHOOK_SECRET = ""
    settings.NOTIFY_LANGUAGE = "zh-hans"
    settings.SITE_URL = "https://liaison.example.com"
    yield robot
    robot.stop()


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", first_name="爱丽丝", last_name="", email="")


def _notify(user, **kw):
    args = {"key": "k", "kind": "overdue", "subject": "季度通报", "body": "华东区下滑两成", "url": "/items/7/"}
    args.update(kw)
    return notify(recipient=user, **args)


@pytest.mark.django_db
def test_wecom_robot_receives_a_text_message_once(robot, alice, market, officer_market):
    item = make_item(unit=market, initiator=officer_market, subject="季度通报", summary="华东区下滑两成")
    n = _notify(alice, item=item, due=local(2025, 10, 9, 17, 30))

    deliver(n.pk)
    deliver(n.pk)

    assert len(robot.received) == 1
    request = robot.received[0]
    assert request["path"] == "/cgi-bin/webhook/send?key=test-key"
    assert request["type"].startswith("application/json")
    assert request["json"]["msgtype"] == "text"
    content = request["json"]["text"]["content"]
    assert "@爱丽丝" in content and item.number in content and "2025-10-09 17:30" in content
    assert "待办事项已超期" in content and "https://liaison.example.com/items/7/" in content
    assert "两成" not in content
    row = Notification.objects.get()
    assert (row.webhook_state, row.webhook_attempts) == ("sent", 1)


@pytest.mark.django_db
def test_restricted_item_group_message_has_no_subject(robot, alice, market, officer_market):
    item = make_item(unit=market, initiator=officer_market, subject="并购谈判", confidentiality="restricted")

    deliver(_notify(alice, item=item, subject="并购谈判").pk)

    content = robot.received[0]["json"]["text"]["content"]
    assert "并购" not in content and item.number in content


@pytest.mark.django_db
def test_dingtalk_robot_gets_signed_url(robot, alice, settings):
    settings.NOTIFY_WEBHOOK_KIND = "dingtalk"
    settings.NOTIFY_WEBHOOK_SECRET = "SECtest"

    deliver(_notify(alice).pk)

    query = urllib.parse.parse_qs(urllib.parse.urlsplit(robot.received[0]["path"]).query)
    assert set(query) == {"key", "timestamp", "sign"}
    assert robot.received[0]["json"]["msgtype"] == "text"


@pytest.mark.django_db
def test_robot_refusal_marks_failed_logs_and_shows_in_the_centre(robot, alice, client, caplog):
    robot.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    n = _notify(alice)

    with caplog.at_level(logging.ERROR, logger="liaison.notifications"), pytest.raises(DeliveryFailed):
        deliver(n.pk)

    row = Notification.objects.get()
    assert row.webhook_state == "failed" and "93000" in row.webhook_error
    assert "webhook delivery failed" in caplog.text
    client.force_login(alice)
    assert "群消息发送失败" in client.get(reverse("notification-list")).content.decode()


@pytest.mark.django_db
def test_http_error_then_success_sends_once(robot, alice):
    robot.status = 502
    n = _notify(alice)
    with pytest.raises(DeliveryFailed):
        deliver(n.pk)
    robot.status = 200

    deliver(n.pk)
    deliver(n.pk)

    assert len(robot.received) == 2  # the refused try and the one that went through
    row = Notification.objects.get()
    assert (row.webhook_state, row.webhook_attempts) == ("sent", 2)


@pytest.mark.django_db
def test_unreachable_robot_marks_failed(robot, alice, settings):
    robot.stop()
    n = _notify(alice)

    with pytest.raises(DeliveryFailed):
        deliver(n.pk)

    assert Notification.objects.get().webhook_state == "failed"


@pytest.mark.django_db
def test_user_who_turned_the_group_off_is_not_posted(robot, alice):
    NotificationPreference.objects.create(user=alice, email=True, webhook=False)

    deliver(_notify(alice).pk)

    assert robot.received == []
    assert Notification.objects.get().webhook_state == "skipped"


@pytest.mark.django_db
def test_no_robot_configured_skips_the_channel(settings, alice):
    settings.NOTIFY_WEBHOOK_URL = ""

    assert deliver(_notify(alice).pk)["webhook"] == "skipped"
