"""At level 3 the auditor changes no business data in the portal (issue 18
item 2, 三员分立): every POST to every URL pattern of the site is refused
with 403, but the few of dengbao.middleware.AUDITOR_MAY_POST (their own
session, password, second factor, language, notices, exports)."""
import re
import uuid

import pytest
from django.urls import resolve
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from dengbao.middleware import AUDITOR_MAY_POST
from tests.factories import OfficerFactory, RoleFactory, UserFactory
from tests.test_url_role_walk import build_path, groups_of, iter_patterns

pytestmark = pytest.mark.django_db

SAMPLE_UUID = str(uuid.UUID(int=1))


def _value(regex, span):
    body = regex[span[0]:span[1]]
    if "[0-9a-f]{8}" in body or "uuid" in body:
        return SAMPLE_UUID
    if "[0-9]" in body or "\\d" in body:
        return "1"
    return "x"


def portal_paths():
    """(url name, a path for it) for every pattern outside the admin."""
    out = []
    for regex, name, _pattern in iter_patterns():
        if regex.startswith("admin/"):
            continue
        values = {key: _value(regex, span) for key, span in groups_of(regex)}
        path = build_path(regex, values)
        if re.search(r"[\\^$()\[\]?*+]", path):  # a pattern the builder cannot fill: say which
            raise AssertionError(f"cannot build a path for {name}: {regex}")
        out.append((name, path))
    return out


def login_verified(client, user):
    """Log ``user`` in with their second factor passed in this session."""
    device = TOTPDevice.objects.get_or_create(user=user, name="totp", defaults={"confirmed": True})[0]
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def verified_auditor(client):
    """The auditor (supervision role) with a verified second factor in this session."""
    user = UserFactory(username="aud3", first_name="审计员")
    RoleFactory(user=user, role="supervision")
    login_verified(client, user)
    return user


def test_every_post_of_the_portal_is_refused_to_the_auditor_at_level3(client, settings, verified_auditor):
    settings.SECURITY_LEVEL = 3
    paths = portal_paths()
    assert len(paths) > 100  # the walk found the site, not an empty resolver

    allowed, wrong = [], []
    for name, path in paths:
        assert resolve(path).view_name == name or not name, (name, path)
        code = client.post(path, {}).status_code
        if name in AUDITOR_MAY_POST:
            allowed.append((name, code))
            if code == 403:
                wrong.append((name, path, code, "exempt but refused"))
        elif code != 403:
            wrong.append((name, path, code))
        if name == "logout":
            login_verified(client, verified_auditor)

    assert wrong == [], "\n".join(map(str, wrong))
    assert {n for n, _c in allowed} <= AUDITOR_MAY_POST


def test_the_refusal_is_the_portal_403_page(client, settings, verified_auditor):
    settings.SECURITY_LEVEL = 3
    response = client.post("/items/new/", {})
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]  # the portal's page, not Django's bare one


def test_at_level2_the_auditor_is_not_refused_by_the_rule(client, settings, verified_auditor):
    settings.SECURITY_LEVEL = 2
    # A POST the auditor may make as any user: their notification preferences.
    assert client.post("/notifications/read-all").status_code != 403
    settings.SECURITY_LEVEL = 3
    assert client.post("/notifications/read-all").status_code != 403  # exempt: their own notices
    assert client.post("/suggestions/new/", {}).status_code == 403


def test_other_users_post_as_before_at_level3(client, settings):
    settings.SECURITY_LEVEL = 3
    officer = OfficerFactory().user
    client.force_login(officer)
    assert client.post("/suggestions/new/", {}).status_code != 403


def test_an_auditor_by_duty_is_refused_too(client, settings):
    from dengbao.models import AdminDuty

    settings.SECURITY_LEVEL = 3
    user = UserFactory(username="dutyaud")
    AdminDuty.objects.create(user=user, duty=AdminDuty.Duty.AUDIT)
    client.force_login(user)
    assert client.post("/suggestions/new/", {}).status_code == 403
