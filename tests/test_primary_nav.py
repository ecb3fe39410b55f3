"""Navigation (issue 15 §10): on a desktop the main sections are in the header
without opening the menu; each role's home page links to everything the role
does (the auditor's shows audit, on-time and archive) outside the menu too;
the header's sections and the home card are rendered once per kind of user."""
import re

import pytest
from django.urls import reverse

from portal.templatetags import portal_tags

pytestmark = pytest.mark.django_db

MENU = re.compile(r'<details class="menu">.*?</details>', re.S)
PRIMARY = re.compile(r'<ul class="primary-nav">(.*?)</ul>', re.S)
HOME_LINKS = re.compile(r'<article class="home-links">(.*?)</article>', re.S)


def home(client, user):
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    return PRIMARY.search(html).group(1), HOME_LINKS.search(html).group(1), MENU.search(html).group(0)


def test_the_auditor_sees_audit_ontime_and_archive_without_opening_the_menu(client, auditor):
    primary, links, _menu = home(client, auditor)

    for name in ("audit-list", "infoflow:ontime", "archive:catalogue"):
        assert 'href="%s"' % reverse(name) in primary
        assert 'href="%s"' % reverse(name) in links


def test_the_header_shows_the_main_sections_to_an_officer(client, officer_market):
    primary, _links, _menu = home(client, officer_market)

    for name in ("infoflow:my-items", "infoflow:review-inbox", "infoflow:receiver-inbox", "datacalls:list",
                 "archive:catalogue"):
        assert 'href="%s"' % reverse(name) in primary
    assert 'href="%s"' % reverse("audit-list") not in primary


def test_every_menu_entry_of_a_role_is_on_its_home_page(client, auditor, officer_market, secretary, employee):
    for user in (auditor, officer_market, secretary, employee):
        _primary, links, menu = home(client, user)
        hrefs = set(re.findall(r'href="([^"]+)"', menu)) - {reverse("home"), reverse("password_change")}
        assert hrefs <= set(re.findall(r'href="([^"]+)"', links)), user.username


def test_an_employee_is_not_shown_the_audit_log(client, employee):
    primary, links, _menu = home(client, employee)

    assert reverse("audit-list") not in primary and reverse("audit-list") not in links


def test_header_and_home_card_are_rendered_once_per_kind_of_user(client, auditor, django_assert_max_num_queries):
    portal_tags._rendered.clear()
    client.force_login(auditor)
    client.get(reverse("home"))
    keys = [key for key in portal_tags._rendered if key[0] in (portal_tags.PRIMARY_TEMPLATE,
                                                               portal_tags.HOME_LINKS_TEMPLATE)]

    client.get(reverse("home"))

    assert len(keys) == 2
    assert len([key for key in portal_tags._rendered if key[0] == portal_tags.PRIMARY_TEMPLATE]) == 1
