"""The home page's cards kept per figures ({% home_cards %}:
portal.templatetags.portal_tags, issue 12) give the bytes that rendering
templates/_home_cards.html on every request gave — for every account of the
demo organisation, in Chinese and in English, on the first request and
when kept — and a number that moves shows at once, never a kept card."""
import re

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils.functional import lazy

from infoflow.models import Item
from portal.templatetags import portal_tags
from portal.templatetags.portal_tags import _frozen, _NotKept

pytestmark = pytest.mark.django_db
SEEDED_AT = "2026-03-02 10:00+08:00"
CSRF = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')


@pytest.fixture
def demo():
    with time_machine.travel(SEEDED_AT, tick=False):
        call_command("seed_demo", force=True, stdout=open("/dev/null", "w"))


def page(user, language):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return CSRF.sub(r"\1CSRF", response.content.decode())


def uncached(monkeypatch, user, language):
    """The page as the include rendered it: no key, so no kept cards."""
    with monkeypatch.context() as patch:
        patch.setattr(portal_tags, "home_cards_key", lambda context: None)
        return page(user, language)


def test_every_account_sees_the_cards_the_include_rendered_in_both_languages(demo, monkeypatch):
    portal_tags._home_cards.clear()
    with time_machine.travel("2026-03-20 18:00+08:00", tick=False):
        users = list(get_user_model().objects.order_by("pk"))
        for language in ("zh-hans", "en"):
            for user in users:
                expected = uncached(monkeypatch, user, language)
                assert f'lang="{language}"' in expected
                assert page(user, language) == expected, (user.username, language)  # rendered and kept
                assert page(user, language) == expected, (user.username, language)  # from the kept cards
    assert 1 < len(portal_tags._home_cards) <= 2 * len(users)  # kept: accounts with the same figures share


def test_a_number_that_moves_is_shown_at_once(demo, monkeypatch):
    portal_tags._home_cards.clear()
    with time_machine.travel("2026-03-20 18:00+08:00", tick=False):
        item = Item.objects.filter(state=Item.State.DRAFT).order_by("pk").first()
        author = item.initiator
        before = page(author, "zh-hans")
        assert page(author, "zh-hans") == before
        Item.objects.filter(pk=item.pk).update(state=Item.State.RETURNED)
        after = page(author, "zh-hans")
        assert after != before
        assert after == uncached(monkeypatch, author, "zh-hans")


def test_a_key_keeps_apart_what_shows_apart():
    assert _frozen({"n": True}) != _frozen({"n": 1})  # "True" and "1"
    assert _frozen({"n": 1.0}) != _frozen({"n": 1})
    assert _frozen([1, 2]) != _frozen((1, 2)) and _frozen({"a": [1]}) == _frozen({"a": [1]})
    with pytest.raises(_NotKept):
        _frozen({"label": lazy(str, str)("x")})  # a lazy string: its text depends on the language
    with pytest.raises(_NotKept):
        _frozen(object())
