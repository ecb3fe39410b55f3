"""Fixtures of the directory tests: a real slapd (tests/directory/slapd.py)
and a local HTTP server answering as WeCom and DingTalk do
(tests/directory/fake_platforms.py)."""
import importlib.util
import os

import pytest
from django.core.cache import cache

from tests.directory import slapd as slapd_module


def _missing(reason: str) -> None:
    """Skip, unless the run requires its services (CI: LIAISON_REQUIRE_SERVICES=1), where a
    directory test that cannot run is a failure, not a silent skip."""
    if os.environ.get("LIAISON_REQUIRE_SERVICES"):
        pytest.fail(reason + " — and LIAISON_REQUIRE_SERVICES is set")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def slapd_server(tmp_path_factory):
    if importlib.util.find_spec("ldap") is None:
        _missing("python-ldap is not installed (apt-get install libldap2-dev libsasl2-dev, then make venv)")
    if slapd_module.SLAPD is None:
        _missing("Debian's slapd is not installed (apt-get install slapd ldap-utils; .ci/run installs it)")
    server = slapd_module.SlapdServer(tmp_path_factory.mktemp("slapd"))
    yield server
    server.stop()


@pytest.fixture
def directory(slapd_server, settings):
    """settings.DIRECTORY_LDAP pointing at the test slapd, AD's disabled rule."""
    settings.DIRECTORY_LDAP = {
        **settings.DIRECTORY_LDAP,
        "URI": slapd_server.uri,
        "START_TLS": False,
        "BIND_DN": slapd_module.SERVICE_DN,
        "BIND_PASSWORD": slapd_module.SERVICE_PASSWORD,
        "USER_BASE": slapd_module.PEOPLE,
        "USER_FILTER": "(&(objectClass=inetOrgPerson)(uid=%(user)s))",
        "GROUP_BASE": slapd_module.GROUPS,
        "GROUP_TYPE": "groupOfNames",
        "ATTR_USERNAME": "uid",
        "ATTR_NAME": "cn",
        "ATTR_EMAIL": "mail",
        "ATTR_PHONE": "mobile",
        "ATTR_DEPARTMENT": "ou",
        "DISABLED": {"attr": "userAccountControl", "bit": 2},
        "TIMEOUT": 5,
    }
    return slapd_server


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def platforms(settings):
    """The fake WeCom / DingTalk server, both applications configured against it."""
    from directory.models import MessengerApp
    from tests.directory.fake_platforms import FakePlatforms

    fake = FakePlatforms()
    settings.DIRECTORY_WECOM_API = fake.url
    settings.DIRECTORY_DINGTALK_API = fake.url
    settings.DIRECTORY_DINGTALK_OAPI = fake.url
    settings.DIRECTORY_WECOM_QR_LOGIN = fake.url + "/wwlogin/sso/login"
    settings.DIRECTORY_WECOM_OAUTH = fake.url + "/connect/oauth2/authorize"
    settings.DIRECTORY_DINGTALK_LOGIN = fake.url + "/oauth2/auth"
    settings.DIRECTORY_WECOM_SECRET = fake.state.wecom_secret
    settings.DIRECTORY_DINGTALK_SECRET = fake.state.dingtalk_secret
    settings.SITE_URL = "https://liaison.example.cn"
    MessengerApp.objects.create(platform="wecom", corp_id=fake.state.corp_id, agent_id="1000002")
    MessengerApp.objects.create(platform="dingtalk", corp_id=fake.state.corp_id, agent_id="2000001",
                                app_key=fake.state.dingtalk_key)
    yield fake
    fake.stop()
