"""A real OpenLDAP server for the directory tests (issue 20): Debian's slapd
started on a free loopback port from a generated slapd.conf in a temporary
folder (mdb backend), loaded with a few people and groups through
python-ldap. Not a mock: binds, searches and group lookups go over LDAP.

The generated schema adds the two Active Directory attributes the login
reads (``sAMAccountName``, ``userAccountControl``, with AD's OIDs) as an
auxiliary class, so the "disabled in the directory" rule is tested as AD
states it (bit 2 of userAccountControl).
"""
import shutil
import socket
import subprocess
import time
from pathlib import Path

SLAPD = shutil.which("slapd") or ("/usr/sbin/slapd" if Path("/usr/sbin/slapd").exists() else None)
SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = next((p for p in (Path("/usr/lib/ldap"), Path("/usr/lib/openldap")) if p.exists()), Path("/usr/lib/ldap"))

SUFFIX = "dc=example,dc=cn"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "admin-secret"
SERVICE_DN = f"cn=liaison,ou=services,{SUFFIX}"
SERVICE_PASSWORD = "service-secret"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
PASSWORD = "Directory-pass-1"

AD_SCHEMA = """
attributetype ( 1.2.840.113556.1.4.8 NAME 'userAccountControl'
  EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.99999.20.1 NAME 'liaisonAdAccount' AUXILIARY
  MAY ( userAccountControl $ sAMAccountName ) )
"""

# uid, cn, mail, mobile, ou (department), userAccountControl
USERS = [
    ("zhangsan", "张三", "zhangsan@example.cn", "13800000001", "市场部", 512),
    ("lisi", "李四", "lisi@example.cn", "13800000002", "生产部", 514),  # 514 = 512 | 2: disabled
    ("wangwu", "王五", "wangwu@example.cn", "13800000003", "市场部", 512),
    ("zhaoliu", "赵六", "zhaoliu@example.cn", "13800000004", "财务部", 512),
]
GROUP_MEMBERS = {"hr": ["zhangsan"], "secretariat": ["wangwu", "zhangsan"], "staff": ["zhangsan", "wangwu", "zhaoliu"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(folder: Path) -> Path:
    (folder / "db").mkdir()
    (folder / "ad.schema").write_text(AD_SCHEMA)
    includes = "\n".join(
        f"include {SCHEMA_DIR / name}" for name in ("core.schema", "cosine.schema", "inetorgperson.schema", "nis.schema")
    )
    conf = folder / "slapd.conf"
    conf.write_text(
        f"""{includes}
include {folder / 'ad.schema'}
modulepath {MODULE_DIR}
moduleload back_mdb
pidfile {folder / 'slapd.pid'}
argsfile {folder / 'slapd.args'}
database mdb
maxsize 16777216
suffix "{SUFFIX}"
rootdn "{ADMIN_DN}"
rootpw {ADMIN_PASSWORD}
directory {folder / 'db'}
access to attrs=userPassword by self write by anonymous auth by * none
access to * by * read
"""
    )
    return conf


def person_dn(uid: str) -> str:
    return f"uid={uid},{PEOPLE}"


def _b(value) -> list[bytes]:
    return [str(value).encode()]


def _load(uri: str) -> None:
    import ldap
    from ldap import modlist

    conn = ldap.initialize(uri)
    conn.simple_bind_s(ADMIN_DN, ADMIN_PASSWORD)
    entries = [
        (SUFFIX, {"objectClass": [b"dcObject", b"organization"], "dc": _b("example"), "o": _b("Example")}),
        (PEOPLE, {"objectClass": [b"organizationalUnit"], "ou": _b("people")}),
        (GROUPS, {"objectClass": [b"organizationalUnit"], "ou": _b("groups")}),
        (f"ou=services,{SUFFIX}", {"objectClass": [b"organizationalUnit"], "ou": _b("services")}),
        (SERVICE_DN, {"objectClass": [b"person"], "cn": _b("liaison"), "sn": _b("liaison"),
                      "userPassword": _b(SERVICE_PASSWORD)}),
    ]
    for uid, cn, mail, mobile, ou, control in USERS:
        entries.append((person_dn(uid), {
            "objectClass": [b"inetOrgPerson", b"liaisonAdAccount"], "uid": _b(uid), "cn": _b(cn), "sn": _b(cn[0]),
            "mail": _b(mail), "mobile": _b(mobile), "ou": _b(ou), "userAccountControl": _b(control),
            "sAMAccountName": _b(uid), "userPassword": _b(PASSWORD),
        }))
    for name, members in GROUP_MEMBERS.items():
        entries.append((f"cn={name},{GROUPS}", {
            "objectClass": [b"groupOfNames"], "cn": _b(name), "member": [person_dn(m).encode() for m in members],
        }))
    for dn, attrs in entries:
        conn.add_s(dn, modlist.addModlist(attrs))
    conn.unbind_s()


class SlapdServer:
    """A running slapd: ``uri``, ``admin()`` for a bound admin connection, ``stop()``."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = _free_port()
        self.uri = f"ldap://127.0.0.1:{self.port}"
        conf = _config(folder)
        self.process = subprocess.Popen(
            [SLAPD, "-f", str(conf), "-h", self.uri + "/", "-d", "0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        self._wait()
        _load(self.uri)

    def _wait(self):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("slapd exited: " + self.process.stderr.read().decode(errors="replace")[-2000:])
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("slapd did not start listening within 20 s")

    def admin(self):
        import ldap

        conn = ldap.initialize(self.uri)
        conn.simple_bind_s(ADMIN_DN, ADMIN_PASSWORD)
        return conn

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
