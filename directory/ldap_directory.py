"""The LDAP / Active Directory connection, from settings.DIRECTORY_LDAP
(parsed from the LIAISON_LDAP_* environment variables, README).

``ldap_settings()`` turns it into django-auth-ldap's settings object for the
login backend; ``read_people()`` lists every person under the user base for
the nightly sync and the contacts import; ``is_disabled(attrs)`` applies
the "disabled in the directory" rule (AD: bit 2 of userAccountControl).
"""
import logging

from django.conf import settings
from django.utils.translation import gettext as _

from liaison.normalize import normalize_phone

from .errors import NotConfigured, PlatformError

try:  # optional: requirements-ldap.txt (python-ldap builds against OpenLDAP's headers; README)
    import ldap
    from django_auth_ldap.config import (
        ActiveDirectoryGroupType,
        GroupOfNamesType,
        GroupOfUniqueNamesType,
        LDAPSearch,
        LDAPSettings,
        PosixGroupType,
    )
    from ldap.controls import SimplePagedResultsControl
except ImportError:
    ldap = None

logger = logging.getLogger(__name__)

INSTALLED = ldap is not None
GROUP_TYPES = {
    "groupOfNames": ("GroupOfNamesType", "(objectClass=groupOfNames)"),
    "groupOfUniqueNames": ("GroupOfUniqueNamesType", "(objectClass=groupOfUniqueNames)"),
    "posixGroup": ("PosixGroupType", "(objectClass=posixGroup)"),
    "activeDirectory": ("ActiveDirectoryGroupType", "(objectClass=group)"),
}
PAGE_SIZE = 500


def config() -> dict:
    return settings.DIRECTORY_LDAP


def configured() -> bool:
    """Whether a directory is set up (LIAISON_LDAP_URI and the user base)
    and its client library installed (requirements-ldap.txt)."""
    c = config()
    return INSTALLED and bool(c.get("URI") and c.get("USER_BASE"))


def ldap_settings() -> "LDAPSettings":
    """django-auth-ldap's settings for the login backend (no AUTH_LDAP_* names in settings.py)."""
    c = config()
    s = LDAPSettings("DIRECTORY_NO_SUCH_PREFIX_", {})
    s.SERVER_URI = c["URI"]
    s.START_TLS = c["START_TLS"]
    s.BIND_DN = c["BIND_DN"]
    s.BIND_PASSWORD = c["BIND_PASSWORD"]
    s.USER_SEARCH = LDAPSearch(c["USER_BASE"], ldap.SCOPE_SUBTREE, c["USER_FILTER"])
    if c["GROUP_BASE"]:
        type_name, group_filter = GROUP_TYPES[c["GROUP_TYPE"]]
        group_type = globals()[type_name]
        s.GROUP_SEARCH = LDAPSearch(c["GROUP_BASE"], ldap.SCOPE_SUBTREE, group_filter)
        s.GROUP_TYPE = group_type(name_attr="cn")
    s.USER_ATTR_MAP = {"first_name": c["ATTR_NAME"], "email": c["ATTR_EMAIL"]}
    s.ALWAYS_UPDATE_USER = True
    s.CACHE_TIMEOUT = 0
    s.CONNECTION_OPTIONS = {
        ldap.OPT_NETWORK_TIMEOUT: c["TIMEOUT"], ldap.OPT_TIMEOUT: c["TIMEOUT"], ldap.OPT_REFERRALS: 0,
    }
    return s


def first(attrs, name: str) -> str:
    """The first value of attribute ``name`` as text ("" when absent)."""
    if not attrs or not name:
        return ""
    values = attrs.get(name) or attrs.get(name.lower()) or []
    if not values:
        return ""
    value = values[0]
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def is_disabled(attrs) -> bool:
    """The LIAISON_LDAP_DISABLED rule on a person's attributes: ``attr&bit``
    (AD userAccountControl&2: ACCOUNTDISABLE), ``attr=value`` (case-insensitive)
    or ``attr`` (present). No rule: nobody is disabled by attribute."""
    rule = config().get("DISABLED")
    if not rule:
        return False
    value = first(attrs, rule["attr"])
    if "bit" in rule:
        try:
            return bool(int(value or "0") & rule["bit"])
        except ValueError:
            return False
    if "value" in rule:
        return value.lower() == rule["value"].lower()
    return bool(value)


def person_from(dn: str, attrs) -> dict:
    """{"dn", "username", "name", "email", "phone", "department", "disabled"}."""
    c = config()
    return {
        "dn": dn,
        "username": first(attrs, c["ATTR_USERNAME"]).lower(),
        "name": first(attrs, c["ATTR_NAME"]),
        "email": first(attrs, c["ATTR_EMAIL"]),
        "phone": normalize_phone(first(attrs, c["ATTR_PHONE"])),
        "department": first(attrs, c["ATTR_DEPARTMENT"]),
        "disabled": is_disabled(attrs),
    }


def connect():
    """A connection bound as the service account. Raises NotConfigured or PlatformError."""
    if not INSTALLED:
        raise NotConfigured(_("目录登录组件（python-ldap）未安装：请先安装 libldap2-dev 和 libsasl2-dev，再运行 make venv。"))
    if not configured():
        raise NotConfigured(_("目录（LDAP）尚未配置：请设置环境变量 LIAISON_LDAP_URI 和 LIAISON_LDAP_USER_BASE。"))
    c = config()
    conn = ldap.initialize(c["URI"], bytes_mode=False)
    for option, value in ldap_settings().CONNECTION_OPTIONS.items():
        conn.set_option(option, value)
    try:
        if c["START_TLS"]:
            conn.start_tls_s()
        conn.simple_bind_s(c["BIND_DN"], c["BIND_PASSWORD"])
    except ldap.LDAPError as error:
        raise PlatformError(_("无法连接目录服务器，请检查目录配置。"), code="ldap", detail=str(error)) from None
    return conn


def read_people() -> list[dict]:
    """Every person under the user base matching the login filter (with
    %(user)s as *), paged so Active Directory's 1000-entry limit does not cut
    the list. Raises NotConfigured / PlatformError."""
    c = config()
    conn = connect()
    query = c["USER_FILTER"] % {"user": "*"}
    control = SimplePagedResultsControl(True, size=PAGE_SIZE, cookie="")
    people = []
    try:
        while True:
            msgid = conn.search_ext(c["USER_BASE"], ldap.SCOPE_SUBTREE, query, serverctrls=[control])
            _type, data, _msgid, controls = conn.result3(msgid)
            for dn, attrs in data:
                if dn:  # referrals come back without a DN
                    people.append(person_from(dn, attrs))
            cookie = next((ctl.cookie for ctl in controls if ctl.controlType == SimplePagedResultsControl.controlType), b"")
            if not cookie:
                break
            control.cookie = cookie
    except ldap.LDAPError as error:
        raise PlatformError(_("读取目录失败，请检查目录配置。"), code="ldap", detail=str(error)) from None
    finally:
        conn.unbind_s()
    return [p for p in people if p["username"]]
