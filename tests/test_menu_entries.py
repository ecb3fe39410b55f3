"""Menu entries only for those who may use them (issue 10 §6.7): every link
of the menu and the home page answers 200 for the role that is shown it."""
import re

import pytest

from tests.test_url_role_walk import ROLES, world  # noqa: F401  the world fixture

pytestmark = pytest.mark.django_db

MENU = re.compile(r'<details class="menu">.*?</details>', re.S)
LINK = re.compile(r'href="(/[^"#?]*)')


@pytest.mark.parametrize("role", ROLES)
def test_every_menu_and_home_link_opens_for_the_role_shown_it(world, client, role):  # noqa: F811
    client.force_login(world["users"][role])
    home = client.get("/").content.decode()
    menu = MENU.search(home).group(0)
    my_items = client.get("/items/").content.decode()
    links = set(LINK.findall(menu)) | {link for page in (home, my_items) for link in LINK.findall(page)
                                       if link.startswith("/items/") and not re.search(r"\d", link)}
    assert "/items/" in links

    refused = {link: client.get(link).status_code for link in sorted(links) if not link.startswith("/static/")}

    assert {link: code for link, code in refused.items() if code in (403, 404)} == {}
