import pytest

pytestmark = pytest.mark.django_db


def test_pages_open_for_the_officer(client, officer_market, internal_entry):
    client.force_login(officer_market)

    for url in ("/library/", "/library/%d/" % internal_entry.pk, "/library/new/", "/library/needs/",
                "/library/%d/edit/" % internal_entry.pk, "/library/?q=法规"):
        assert client.get(url).status_code == 200, url
