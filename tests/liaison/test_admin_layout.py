"""The admin console's own stylesheet (issue 10, 6.11): every admin page
loads it; lists keep their headers whole and, on laptop screens, put the
filter panel above the table instead of beside it; help texts sit under their
inputs. Checked by eye at 1280 and 390 px in headless Chromium (see the
commit); these tests keep the wiring and the rules in place."""
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import UserFactory

CSS = Path(settings.BASE_DIR) / "static" / "css" / "admin.css"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/", "/admin/officers/orgunit/", "/admin/infoflow/routerule/add/"])
def test_every_admin_page_loads_the_project_stylesheet(client, path):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))

    page = client.get(path).content.decode()

    assert '/static/css/admin.css"' in page
    # After Django's base stylesheet, so equal rules are ours.
    assert page.index("admin/css/base.css") < page.index("css/admin.css")


def test_list_headers_stay_whole_and_the_filter_moves_above_on_laptops():
    css = CSS.read_text(encoding="utf-8")

    assert re.search(r"#result_list th \{[^}]*white-space: nowrap; word-break: keep-all;", css)
    laptop = re.search(r"@media \(min-width: 1025px\) and \(max-width: 1600px\) \{(.*?)\n\}", css, re.S).group(1)
    assert "body #changelist-filter { flex: 1 1 100%; order: -1;" in laptop


def test_help_texts_start_under_their_input():
    css = CSS.read_text(encoding="utf-8")

    assert ".aligned .form-row div.help, .aligned .form-row .timezonewarning { clear: both; display: block; }" in css
