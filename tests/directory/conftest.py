"""Fixtures of the directory tests: a real slapd (tests/directory/slapd.py)
and a local HTTP server answering as WeCom and DingTalk do
(tests/directory/fake_platforms.py)."""
import pytest
from django.core.cache import cache

from tests.directory import slapd as slapd_module


@pytest.fixture(scope="session")
def slapd_server(tmp_path_factory):
    if slapd_module.SLAPD is None:
        pytest.skip("Debian's slapd is not installed (apt-get install slapd ldap-utils; .ci/run installs it)")
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
