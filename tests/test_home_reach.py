"""Issues 13 and 14 are reached from the home page and the menu (trial at
390 px, 2026-11-30: neither the cards nor the menu entries were included)."""
import re

import pytest

from tests.test_url_role_walk import world  # noqa: F401  the world fixture

pytestmark = pytest.mark.django_db

MENU = re.compile(r'<details class="menu">.*?</details>', re.S)


def _home(client, user):
    client.force_login(user)
    html = client.get("/").content.decode()
    menu = MENU.search(html).group(0)
    return html.replace(menu, ""), menu


def test_an_officer_finds_data_calls_meetings_reports_and_assessment(world, client):  # noqa: F811
    cards, menu = _home(client, world["users"]["officer_market"])

    for link in ('href="/calls/?open=1"', 'href="/officers/work-reports/"', 'href="/assessment/"'):
        assert link in cards
    for link in ("/calls/", "/officers/meetings/", "/officers/trainings/", "/officers/work-reports/",
                 "/officers/accountability/", "/assessment/"):
        assert 'href="%s"' % link in menu
    assert 'href="/officers/replacement-flags/"' not in menu


def test_a_head_and_the_secretariat_find_the_replacement_flags(world, client):  # noqa: F811
    for role in ("head_market", "secretary"):
        _cards, menu = _home(client, world["users"][role])
        assert 'href="/officers/replacement-flags/"' in menu


def test_an_employee_is_not_shown_flags_or_cases(world, client):  # noqa: F811
    _cards, menu = _home(client, world["users"]["employee"])
    assert 'href="/officers/replacement-flags/"' not in menu
    assert 'href="/officers/accountability/"' not in menu
