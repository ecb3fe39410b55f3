"""The last-seen time is written at most once a minute (issue 12): a page
request does not write the session otherwise; the idle timeout still holds."""
from datetime import timedelta

import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

START = "2026-03-02 09:00+08:00"


def session_writes(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in queries if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith(
        ("UPDATE", "INSERT"))]


def test_last_seen_is_written_at_most_once_a_minute(client, db):
    UserFactory(username="alice")
    url = reverse("officers:directory")
    with time_machine.travel(START, tick=False) as clock:
        client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
        key = client.session.session_key
        expiry = Session.objects.get(session_key=key).expire_date
        clock.shift(timedelta(seconds=20))
        first = session_writes(client, url)
        clock.shift(timedelta(seconds=39))
        second = session_writes(client, url)
        unchanged = Session.objects.get(session_key=key).expire_date
        clock.shift(timedelta(seconds=2))  # 61 s after login
        third = session_writes(client, url)
        moved = Session.objects.get(session_key=key).expire_date

    assert first == [] and second == []
    assert unchanged == expiry
    assert len(third) == 1
    assert moved == expiry + timedelta(seconds=61)


def test_a_session_seen_every_few_seconds_does_not_go_idle(client, db):
    UserFactory(username="alice")
    url = reverse("officers:directory")
    with time_machine.travel(START, tick=False) as clock:
        client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
        for _ in range(40):  # 40 minutes, a request every minute
            clock.shift(timedelta(seconds=60))
            assert client.get(url).status_code == 200
        clock.shift(timedelta(minutes=31))
        idle = client.get(url)

    assert idle.status_code == 302 and idle["Location"].startswith("/accounts/login/")
