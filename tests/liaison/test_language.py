import pytest


@pytest.mark.django_db
def test_portal_speaks_chinese_to_an_english_browser(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"


@pytest.mark.django_db
def test_footer_switch_to_english_is_kept(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302

    response = client.get("/accounts/login/")

    assert response.headers["Content-Language"] == "en"


@pytest.mark.django_db
def test_browser_language_followed_when_configured(client, settings):
    settings.FOLLOW_BROWSER_LANGUAGE = True

    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.headers["Content-Language"] == "en"
