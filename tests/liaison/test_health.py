import pytest


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client, settings):
    settings.REDIS_URL = None

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "embedded"}


@pytest.mark.django_db
def test_healthz_says_broker_down_when_redis_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["broker"] == "down"


def test_healthz_is_503_when_database_does_not_answer(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise RuntimeError("database is gone")

    monkeypatch.setattr(connection, "cursor", broken_cursor)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.django_db
def test_directory_lists_units_for_logged_in_staff(client, officer_market, market):
    client.force_login(officer_market)

    response = client.get("/officers/")

    assert response.status_code == 200
    assert "市场部" in response.content.decode()
    # Issue 18 (personal information): an officer sees colleagues' phones masked; HR and the
    # secretariat see them in full (tests/dengbao/test_privacy.py).
    assert "138****5678" in response.content.decode()
    assert "13812345678" not in response.content.decode()


@pytest.mark.django_db
def test_directory_needs_login(client):
    response = client.get("/officers/")

    assert response.status_code == 302
