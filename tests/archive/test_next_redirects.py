"""Every ``next`` the portal reads leads to a path on this site only
(issue 10, part 4: after a failed archive action ``next`` sent the browser to
any outside address). One helper, liaison.redirects.safe_next, decides."""
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from infoflow.models import Item
from liaison.models import Notification
from liaison.redirects import safe_next
from tests.factories import PASSWORD

OUTSIDE = [
    "//evil.example",
    "//evil.example/items/",
    "https://evil.example",
    "http://evil.example/x",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    " //evil.example",
    "///evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "https:evil.example",
    "http://testserver/items/",  # even this host: a form here only ever sends a path
    "evil.example",
    "\x01/evil.example",
]
SAME_SITE = ["/items/", "/archive/?q=合同&page=2", "/notifications/#top"]


@pytest.mark.parametrize("url", OUTSIDE)
def test_safe_next_refuses_every_outside_address(url):
    assert safe_next(url, "fallback") == "fallback"


@pytest.mark.parametrize("url", SAME_SITE)
def test_safe_next_keeps_a_path_on_this_site(url):
    assert safe_next(url) == url


def test_safe_next_refuses_nothing_and_non_text():
    assert safe_next(None, "f") == safe_next("", "f") == safe_next(["/items/"], "f") == "f"


# --- each place that reads ``next`` ------------------------------------------------


@pytest.fixture
def open_item(make_item):
    return make_item(state=Item.State.TRANSMITTED, completed_at=None)


@pytest.mark.django_db
@pytest.mark.parametrize("url", OUTSIDE)
def test_a_failed_archive_action_never_redirects_outside(client, secretary, open_item, url):
    client.force_login(secretary)
    response = client.post("/archive/items/%d/archive/" % open_item.pk, {"next": url})

    assert response.status_code == 302
    assert response.url == "/archive/"


@pytest.mark.django_db
def test_a_failed_archive_action_returns_to_a_same_site_next(client, secretary, open_item):
    client.force_login(secretary)
    response = client.post("/archive/items/%d/archive/" % open_item.pk, {"next": "/items/%d/" % open_item.pk}, follow=True)

    assert response.redirect_chain == [("/items/%d/" % open_item.pk, 302)]
    assert "尚未办结，不能归档" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", OUTSIDE)
def test_marking_a_notice_read_never_redirects_outside(client, officer_market, url):
    notice = Notification.objects.create(recipient=officer_market, key="k1", subject="测试通知", url="/items/")
    client.force_login(officer_market)
    response = client.post("/notifications/%d/read" % notice.pk, {"next": url})

    assert (response.status_code, response.url) == (302, "/notifications/")


@pytest.mark.django_db
def test_marking_a_notice_read_returns_to_a_same_site_next(client, officer_market):
    notice = Notification.objects.create(recipient=officer_market, key="k1", subject="测试通知", url="/items/")
    client.force_login(officer_market)

    assert client.post("/notifications/%d/read" % notice.pk, {"next": "/notifications/?page=2"}).url == (
        "/notifications/?page=2"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("url", OUTSIDE)
def test_login_never_redirects_outside(client, officer_market, url):
    page = client.get("/accounts/login/", {"next": url}).content.decode()
    assert 'name="next" value=""' in page
    response = client.post("/accounts/login/?next=x", {"username": officer_market.username, "password": PASSWORD,
                                                       "next": url})

    assert (response.status_code, response.url) == (302, settings.LOGIN_REDIRECT_URL)


@pytest.mark.django_db
def test_login_follows_a_same_site_next(client, officer_market):
    response = client.post("/accounts/login/", {"username": officer_market.username, "password": PASSWORD,
                                                "next": "/items/?tab=drafts"})

    assert response.url == "/items/?tab=drafts"


@pytest.mark.django_db
@pytest.mark.parametrize("url", OUTSIDE)
def test_admin_login_never_redirects_outside(client, django_user_model, url):
    django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD, "next": url})

    assert response.status_code == 302 and response.url.startswith("/")
    assert not response.url.startswith(("//", "/\\")) and "evil" not in response.url.split("?")[0]


@pytest.mark.django_db
@pytest.mark.parametrize("url", OUTSIDE)
def test_logout_never_redirects_outside(client, officer_market, url):
    client.force_login(officer_market)
    response = client.post("/accounts/logout/", {"next": url})

    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response.url == settings.LOGOUT_REDIRECT_URL or response.url.startswith("/") and "evil" not in response.url
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logout_follows_a_same_site_next(client, officer_market):
    client.force_login(officer_market)

    assert client.post("/accounts/logout/", {"next": "/accounts/login/"}).url == "/accounts/login/"


@pytest.mark.django_db
@pytest.mark.parametrize("url", OUTSIDE)
def test_the_language_switch_never_redirects_outside(client, url):
    response = client.post("/i18n/setlang/", {"language": "en", "next": url})

    assert (response.status_code, response.url) == (302, "/")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.mark.django_db
def test_the_language_switch_returns_to_a_same_site_next(client):
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/archive/?q=1"}).url == "/archive/?q=1"


# --- and no new place reads it around the helper -----------------------------------

READS_NEXT = re.compile(r"""(?:GET|POST|REQUEST|data|params)(?:\.get\(|\[)\s*["']next["']""")
# Reads of ``next`` that never become a redirect target, with the reason.
NOT_A_TARGET = {
    "infoflow/views/actions.py": 'compared with the word "inbox" only, never redirected to',
    "followup/views.py": 'compared with the word "inbox" only, never redirected to',
    "liaison/redirects.py": "the helper itself",
}


def test_every_read_of_next_in_the_project_goes_through_the_helper():
    root = Path(settings.BASE_DIR)
    offenders = []
    for path in sorted(root.glob("*/**/*.py")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith((".venv/", "tests/", "bench/")) or rel in NOT_A_TARGET:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if READS_NEXT.search(line) and "safe_next(" not in line and "next_from(" not in line:
                offenders.append("%s:%d: %s" % (rel, number, line.strip()))
    assert offenders == []
