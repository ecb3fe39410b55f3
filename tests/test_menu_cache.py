"""The menu is rendered once per language and kind of user (issue 12): each
user still gets exactly the entries rendered afresh for them, whoever asked
before in the same process and in whichever language."""
import re

import pytest
from django.template.loader import get_template
from django.test import RequestFactory
from django.utils import translation

from portal.context_processors import portal
from portal.templatetags import portal_tags
from tests.test_url_role_walk import ROLES, world  # noqa: F401  the world fixture

pytestmark = pytest.mark.django_db

MENU = re.compile(r'<details class="menu">.*?</details>', re.S)


def fresh_entries(user, language):
    """The menu's entries rendered directly for ``user``, no cache."""
    request = RequestFactory().get("/")
    request.user = user
    with translation.override(language):
        context = {"user": user, "request": request, **portal(request)}
        return get_template(portal_tags.MENU_TEMPLATE).render(context)


def squash(html):
    return re.sub(r"\s+", " ", html).strip()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_role_gets_its_own_menu_whoever_came_before(world, client, language):  # noqa: F811
    portal_tags._rendered.clear()
    client.cookies["django_language"] = language
    for role in list(ROLES) + list(reversed(ROLES)):
        user = world["users"][role]
        client.force_login(user)
        menu = MENU.search(client.get("/").content.decode()).group(0)

        assert squash(fresh_entries(user, language)) in squash(menu), role


def test_the_key_tells_languages_and_roles_apart(world):  # noqa: F811
    users = [world["users"][role] for role in ROLES]
    request = RequestFactory().get("/")
    keys = set()
    for user in users:
        request.user = user
        context = {"user": user, **portal(request)}
        for language in ("zh-hans", "en"):
            with translation.override(language):
                keys.add(portal_tags.menu_key(context))
    distinct_menus = {(language, squash(fresh_entries(user, language))) for user in users for language in ("zh-hans", "en")}
    assert len(keys) >= len(distinct_menus)


@pytest.mark.parametrize("language, current, other", [("zh-hans", "zh-hans", "en"), ("en", "en", "zh-hans")])
def test_the_language_buttons_mark_the_current_language(world, client, language, current, other):  # noqa: F811
    client.force_login(world["users"]["secretary"])
    client.cookies["django_language"] = language

    html = client.get("/").content.decode()

    assert f'value="{current}" lang="{current}" class="link current"' in html
    assert f'value="{other}" lang="{other}" class="link"' in html
