import logging
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from kombu.exceptions import OperationalError

from infoflow.models import Confidentiality
from liaison.models import Notification, NotificationPreference
from liaison import notifications
from liaison.notifications import DeliveryFailed, deliver, notify, safe_text
from liaison.tasks_notify import deliver_notification, retry_undelivered
from tests.factories import UserFactory
from tests.infoflow.export_helpers import local, make_item

NOW = "2025-09-30 10:00+08:00"


@pytest.fixture(autouse=True)
def _no_robot(settings):
    settings.NOTIFY_WEBHOOK_URL = ""
    settings.NOTIFY_LANGUAGE = "zh-hans"
    settings.SITE_URL = "https://liaison.example.com"


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", first_name="爱丽丝", email="alice@example.com")


def _notify(recipient, key="step-1-reminder", **kw):
    args = {"kind": "reminder", "subject": "审核即将到期", "body": "请审核", "url": "/items/1/"}
    args.update(kw)
    return notify(recipient=recipient, key=key, **args)


@pytest.mark.django_db
def test_duplicate_key_gives_one_row_and_one_email(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = _notify(alice)
        second = _notify(alice)
        # The savepoint kept the caller's transaction usable after the duplicate.
        assert Notification.objects.count() == 1

    deliver(first.pk)
    deliver(first.pk)

    assert second is None
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    row = Notification.objects.get()
    assert (row.email_state, row.email_attempts, row.webhook_state) == ("sent", 1, "skipped")


@pytest.mark.django_db
def test_same_key_for_another_recipient_is_a_separate_notice(alice):
    bob = UserFactory(username="bob")

    _notify(alice)
    _notify(bob)

    assert Notification.objects.count() == 2


@pytest.mark.django_db
def test_commit_queues_the_delivery_task_once(alice, django_capture_on_commit_callbacks):
    with mock.patch.object(deliver_notification, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            n = _notify(alice)
            _notify(alice)

    delay.assert_called_once_with(n.pk)


@pytest.mark.django_db
def test_retried_delivery_after_a_failure_sends_once(alice, caplog):
    n = _notify(alice)
    with mock.patch("liaison.notifications.EmailMessage.send", side_effect=ConnectionRefusedError("smtp down")):
        with caplog.at_level(logging.ERROR, logger="liaison.notifications"), pytest.raises(DeliveryFailed):
            deliver(n.pk)
    failed = Notification.objects.get()

    deliver(n.pk)
    deliver(n.pk)

    assert failed.email_state == "failed"
    assert "smtp down" in failed.email_error
    assert "email delivery failed" in caplog.text and "ConnectionRefusedError" in caplog.text
    assert len(mail.outbox) == 1
    row = Notification.objects.get()
    assert (row.email_state, row.email_attempts) == ("sent", 2)
    assert row.email_sent_at is not None


@pytest.mark.django_db
def test_a_channel_stops_after_its_last_attempt(alice, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 2
    n = _notify(alice)
    with mock.patch("liaison.notifications.EmailMessage.send", side_effect=OSError("down")) as send:
        with pytest.raises(DeliveryFailed):
            deliver(n.pk)
        assert deliver(n.pk) == {"email": "failed"}  # last try: no further retry
        assert deliver(n.pk) == {}

    assert send.call_count == 2
    assert Notification.objects.get().email_state == "failed"


@pytest.mark.django_db
def test_restricted_item_email_has_neither_subject_nor_summary(alice, market, officer_market):
    item = make_item(
        unit=market, initiator=officer_market, subject="并购谈判进展", summary="对方报价三亿元",
        confidentiality=Confidentiality.RESTRICTED,
    )
    due = local(2025, 10, 9, 17, 30)

    # The caller claims "public"; the item's own 密级 wins.
    n = _notify(alice, item=item, subject="并购谈判进展 待审核", body="对方报价三亿元", confidentiality="public", due=due)
    deliver(n.pk)

    message = mail.outbox[0]
    text = message.subject + message.body
    assert "并购" not in text and "三亿" not in text
    assert item.number in message.subject and item.number in message.body
    assert "2025-10-09 17:30" in message.body
    assert "https://liaison.example.com/items/1/" in message.body
    assert "请在期限前登录平台处理。" in message.body
    assert n.confidentiality == "restricted"


@pytest.mark.django_db
def test_internal_item_email_has_the_subject_but_no_summary(alice, market, officer_market):
    item = make_item(unit=market, initiator=officer_market, subject="季度销售通报", summary="华东区下滑两成")

    n = _notify(alice, item=item, subject="季度销售通报", body="华东区下滑两成", kind="overdue")
    deliver(n.pk)

    body = mail.outbox[0].body
    assert "两成" not in body
    assert "季度销售通报" in body
    assert "待办事项已超期" in body and item.number in body


@pytest.mark.django_db
def test_public_notice_may_carry_its_body(alice):
    n = _notify(alice, confidentiality="public", body="明天上午九点开会")

    subject, text = safe_text(n)

    assert "明天上午九点开会" in text and "审核即将到期" in text


@pytest.mark.django_db
def test_unknown_confidentiality_is_treated_as_restricted(alice):
    n = _notify(alice, confidentiality="secret", subject="机密主题")

    assert "机密主题" not in safe_text(n)[1]


@pytest.mark.django_db
def test_external_text_follows_the_notify_language(alice, settings, market, officer_market):
    settings.NOTIFY_LANGUAGE = "en"
    item = make_item(unit=market, initiator=officer_market)
    n = _notify(alice, item=item, kind="chase", due=local(2025, 10, 9, 17, 30))

    seen = []
    real = notifications._what_and_todo

    def spy(kind):
        seen.append(translation.get_language())
        return real(kind)

    with mock.patch.object(notifications, "_what_and_todo", side_effect=spy):
        subject, text = safe_text(n)

    assert seen == ["en"]
    assert item.number in subject and "2025-10-09 17:30" in text


@pytest.mark.django_db
def test_email_off_in_preferences_sends_no_email(alice):
    NotificationPreference.objects.create(user=alice, email=False, webhook=True)
    n = _notify(alice)

    assert deliver(n.pk) == {"email": "skipped", "webhook": "skipped"}

    assert mail.outbox == []
    assert Notification.objects.get().email_state == "skipped"


@pytest.mark.django_db
def test_user_without_address_gets_no_email(db):
    nobody = UserFactory(username="nomail", email="")
    n = _notify(nobody)

    deliver(n.pk)

    assert mail.outbox == []
    assert Notification.objects.get().email_state == "skipped"


@pytest.mark.django_db
def test_broker_down_is_logged_not_raised_and_the_retry_task_delivers(alice, caplog, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False):
        with mock.patch.object(deliver_notification, "delay", side_effect=OperationalError("Error 111 connecting to redis")):
            with caplog.at_level(logging.ERROR, logger="liaison.notifications"):
                with django_capture_on_commit_callbacks(execute=True):
                    n = _notify(alice)
    assert "could not queue delivery of notification %s" % n.pk in caplog.text
    assert Notification.objects.get().email_state == "pending"

    with time_machine.travel("2025-09-30 10:05+08:00", tick=False):
        with mock.patch.object(deliver_notification, "delay", side_effect=deliver) as delay:
            retry_undelivered()
            retry_undelivered()

    assert delay.call_count == 1  # the second run finds nothing left to send
    assert len(mail.outbox) == 1
    assert Notification.objects.get().email_state == "sent"


@pytest.mark.django_db
def test_retry_task_leaves_fresh_notices_to_their_own_task(alice):
    with time_machine.travel(NOW, tick=False):
        _notify(alice)
        with mock.patch.object(deliver_notification, "delay") as delay:
            retry_undelivered()

    delay.assert_not_called()


@pytest.mark.django_db
def test_retry_task_requeues_failed_and_abandoned_sends(alice):
    with time_machine.travel(NOW, tick=False):
        failed = _notify(alice, key="a")
        stuck = _notify(alice, key="b")
        with mock.patch("liaison.notifications.EmailMessage.send", side_effect=OSError("down")), pytest.raises(DeliveryFailed):
            deliver(failed.pk)
        # A worker that died between claiming and sending.
        Notification.objects.filter(pk=stuck.pk).update(email_state="sending", email_claimed_at=failed.created_at)

    with time_machine.travel("2025-09-30 10:20+08:00", tick=False):
        with mock.patch.object(deliver_notification, "delay", side_effect=deliver):
            retry_undelivered()

    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com"] * 2
    assert set(Notification.objects.values_list("email_state", flat=True)) == {"sent"}


def test_delivery_task_survives_worker_loss_and_retries_with_backoff():
    assert deliver_notification.acks_late and deliver_notification.reject_on_worker_lost
    assert deliver_notification.max_retries == 5 and deliver_notification.retry_backoff
    assert deliver_notification.time_limit and deliver_notification.soft_time_limit


# --- the notification centre -----------------------------------------------------


def _login(client, user):
    client.force_login(user)


@pytest.mark.django_db
def test_bell_shows_the_unread_count_on_every_page(client, alice):
    for i in range(3):
        _notify(alice, key=f"k{i}")
    Notification.objects.filter(key="k0").update(read_at=local(2025, 9, 30, 9, 0))
    _login(client, alice)

    home = client.get("/")
    password_page = client.get(reverse("password_change"))

    for page in (home, password_page):
        assert page.context["unread_notifications"] == 2
        assert '<span class="bell-count">2</span>' in page.content.decode()


@pytest.mark.django_db
def test_bell_count_is_one_query(alice, rf):
    from portal.context_processors import portal

    request = rf.get("/")
    request.user = alice
    _notify(alice)
    with CaptureQueriesContext(connection) as queries:
        context = portal(request)

    assert context["unread_notifications"] == 1
    counts = [q["sql"] for q in queries if "liaison_notification" in q["sql"]]
    assert len(counts) == 1 and "COUNT" in counts[0].upper()


@pytest.mark.django_db
def test_list_shows_unread_first_and_only_my_notices(client, alice):
    bob = UserFactory(username="bob")
    with time_machine.travel(NOW, tick=False):
        _notify(alice, key="old-unread", subject="旧的未读")
    with time_machine.travel("2025-09-30 11:00+08:00", tick=False):
        _notify(alice, key="new-read", subject="新的已读")
    Notification.objects.filter(key="new-read").update(read_at=local(2025, 9, 30, 11, 5))
    _notify(bob, key="bobs", subject="别人的通知")
    _login(client, alice)

    page = client.get(reverse("notification-list")).content.decode()

    assert page.index("旧的未读") < page.index("新的已读")
    assert "别人的通知" not in page


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_rows(client, alice, django_assert_num_queries):
    _notify(alice, key="first")
    _login(client, alice)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notification-list"))
    for i in range(30):
        _notify(alice, key=f"more-{i}")

    with django_assert_num_queries(len(few)):
        response = client.get(reverse("notification-list"))

    assert response.content.decode().count('class="notification unread"') == 20  # paginated


@pytest.mark.django_db
def test_opening_a_notice_marks_it_read_and_goes_to_the_item(client, alice):
    n = _notify(alice, url="/items/42/")
    _login(client, alice)

    response = client.post(reverse("notification-read", args=[n.pk]), {"open": "1"})

    assert response.status_code == 302 and response.url == "/items/42/"
    assert Notification.objects.get().read_at is not None


@pytest.mark.django_db
def test_opening_a_notice_never_redirects_off_site(client, alice):
    n = _notify(alice, url="https://evil.example.net/")
    _login(client, alice)

    response = client.post(reverse("notification-read", args=[n.pk]), {"open": "1", "next": "https://evil.example.net/"})

    assert response.url == reverse("notification-list")


@pytest.mark.django_db
def test_someone_elses_notice_is_a_404(client, alice):
    n = _notify(UserFactory(username="bob"))
    _login(client, alice)

    response = client.post(reverse("notification-read", args=[n.pk]))

    assert response.status_code == 404
    assert Notification.objects.get().read_at is None


@pytest.mark.django_db
def test_marking_read_needs_post(client, alice):
    n = _notify(alice)
    _login(client, alice)

    assert client.get(reverse("notification-read", args=[n.pk])).status_code == 405


@pytest.mark.django_db
def test_mark_read_with_htmx_returns_the_list_fragment(client, alice):
    n = _notify(alice)
    _login(client, alice)

    response = client.post(reverse("notification-read", args=[n.pk]), HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200 and body.startswith('<div id="notification-list">')
    assert "未读</span>" not in body


@pytest.mark.django_db
def test_read_all_marks_only_my_notices(client, alice):
    bob = UserFactory(username="bob")
    _notify(alice, key="a")
    _notify(alice, key="b")
    _notify(bob, key="a")
    _login(client, alice)

    response = client.post(reverse("notification-read-all"), follow=True)

    assert "已将 2 条通知标为已读。" in response.content.decode()
    assert Notification.objects.filter(read_at__isnull=True).get().recipient == bob


@pytest.mark.django_db
def test_preferences_are_saved_and_respected(client, alice):
    _login(client, alice)
    page = client.get(reverse("notification-preferences"))
    assert page.status_code == 200

    response = client.post(reverse("notification-preferences"), {"webhook": "on"}, follow=True)

    assert "通知设置已保存。" in response.content.decode()
    pref = NotificationPreference.objects.get(user=alice)
    assert (pref.email, pref.webhook) == (False, True)
    n = _notify(alice)
    deliver(n.pk)
    assert mail.outbox == []


@pytest.mark.django_db
def test_failed_delivery_is_visible_in_the_centre(client, alice):
    n = _notify(alice)
    with mock.patch("liaison.notifications.EmailMessage.send", side_effect=OSError("down")), pytest.raises(DeliveryFailed):
        deliver(n.pk)
    _login(client, alice)

    page = client.get(reverse("notification-list")).content.decode()

    assert "邮件发送失败" in page


def test_pages_need_login(client):
    response = client.get(reverse("notification-list"))

    assert response.status_code == 302 and "/accounts/login/" in response.url


def _in_two_threads(work):
    import threading

    from django.db import connections

    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(work())
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_notices_with_one_key_make_one_row():
    from django.db import transaction

    user = UserFactory(username="racer", email="racer@example.com")

    def work():
        with transaction.atomic():
            return _notify(user, key="same") is not None

    results = _in_two_threads(work)

    assert sorted(results) == [False, True]
    assert Notification.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_deliveries_send_once():
    user = UserFactory(username="racer", email="racer@example.com")
    n = _notify(user, key="same")

    _in_two_threads(lambda: deliver(n.pk))

    assert len(mail.outbox) == 1
    assert Notification.objects.get().email_attempts == 1


@pytest.mark.django_db
def test_admin_sends_failed_notices_again_after_their_last_attempt(client, alice, settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_MAX_ATTEMPTS = 1
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    n = _notify(alice)
    with mock.patch("liaison.notifications.EmailMessage.send", side_effect=OSError("down")):
        deliver(n.pk)
    client.force_login(root)
    assert client.get(reverse("admin:liaison_notification_changelist") + "?email_state=failed").status_code == 200

    with mock.patch.object(deliver_notification, "delay", side_effect=deliver):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("admin:liaison_notification_changelist"),
                {"action": "send_again", "_selected_action": [n.pk]},
            )

    assert len(mail.outbox) == 1
    assert Notification.objects.get().email_state == "sent"


@pytest.mark.django_db
def test_every_try_of_one_notice_mails_the_same_message_id(alice, mailoutbox):
    n = _notify(alice)
    deliver(n.pk)
    Notification.objects.filter(pk=n.pk).update(email_state="failed")  # as after a worker lost mid-send

    deliver(n.pk)

    ids = [m.extra_headers["Message-ID"] for m in mailoutbox]
    assert len(ids) == 2 and ids[0] == ids[1] and ids[0].startswith("<notice-%d-" % n.pk)
