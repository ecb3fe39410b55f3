"""The second factor on a phone (issue 18 §1): at level 3 a system
administrator asking for the admin is sent to the enrolment page, reads the
key under the QR code, confirms with the app's code, sees the recovery codes
and reaches the admin; at 390 px nothing is wider than the screen."""
import base64

import pytest
from django_otp.oath import TOTP

from tests.dengbao.conftest import level3, sysadmin  # noqa: F401  (fixtures)
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def app_code(secret: str) -> str:
    """What an authenticator app shows for the base32 ``secret`` now."""
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{TOTP(key).token():06d}"


def test_administrator_enrols_on_a_phone_and_reaches_the_admin(phone, level3, sysadmin, tmp_path):  # noqa: F811
    session = phone(sysadmin.username, PASSWORD, "/admin/")
    page = session.page
    assert "/security/otp/enrol/" in page.url
    assert page.locator("main svg").count() == 1  # the QR code, drawn on the server
    page.screenshot(path=str(tmp_path / "enrol.png"), full_page=True)

    page.fill("input[name=token]", "000000")
    session.click("main form button[type=submit]")
    assert "验证码不正确" in page.content()

    secret = page.locator("main code").inner_text()
    page.fill("input[name=token]", app_code(secret))
    session.click("main form button[type=submit]")
    assert "您的恢复码" in page.content()
    assert page.locator("ul.codes li").count() == 10

    session.click("main a.button")
    assert page.url.endswith("/admin/")
    assert "/security/otp/" not in page.url
