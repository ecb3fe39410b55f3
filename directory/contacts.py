"""Contacts import: the department tree and people of WeCom, DingTalk or
the directory, into a preview HR confirms (issue 20 §4; the pattern of the
roster import, officers/importer.py: read and check, show, then write all or
nothing).

``read_contacts`` fetches and stores a ContactsImport in state preview with
its ``plan``; nothing else is written. ``apply_import`` (HR confirms) plans
again against today's data inside one transaction and writes it: new units
(the platform's tree under their parents), new users (no usable password:
they sign in through the directory or the messenger), profiles with unit
and phone, and the platform ids linked (ExternalAccount). Existing units are
matched by name, existing people by their linked id, then by the one active
user with that mobile number, then by user name; a mobile number several of
our users share is an error row, never a guess. Existing people's data is
not changed (the sync report shows differences).
"""
import hashlib
import re

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import audit
from liaison.models import AuditEntry
from liaison.normalize import normalize_phone
from officers.models import OrgUnit, StaffProfile

from . import dingtalk, ldap_directory, wecom
from .errors import ImportRefused
from .models import ContactsImport, ExternalAccount, Source
from .services import may_manage

User = get_user_model()
CODE_PREFIX = {Source.WECOM: "WX", Source.DINGTALK: "DD", Source.LDAP: "LD"}
USERNAME_RE = re.compile(r"[^\w.@+-]")
MAX_PEOPLE = 20000


def fetch(source: str) -> dict:
    """{"units": [...], "people": [...]} read from ``source``. Raises NotConfigured / PlatformError."""
    if source == Source.WECOM:
        app = wecom.app()
        return {"units": wecom.departments(app), "people": wecom.people(app)}
    if source == Source.DINGTALK:
        app = dingtalk.app()
        units = dingtalk.departments(app)
        return {"units": units, "people": dingtalk.people(app, ["1"] + [u["id"] for u in units])}
    if source == Source.LDAP:
        people = ldap_directory.read_people()
        names = sorted({p["department"] for p in people if p["department"]})
        return {
            "units": [{"id": n, "name": n, "parent": ""} for n in names],
            "people": [{"id": p["dn"], "username": p["username"], "name": p["name"], "mobile": p["phone"],
                        "email": p["email"], "units": [p["department"]] if p["department"] else [],
                        "active": not p["disabled"]} for p in people],
        }
    raise ImportRefused(_("未知的通讯录来源。"))


def _unit_code(source: str, external_id: str) -> str:
    raw = str(external_id)
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,16}", raw):
        raw = hashlib.sha1(raw.encode()).hexdigest()[:10]
    return f"{CODE_PREFIX[source]}-{raw}"[:20]


def _username_for(source: str, person: dict) -> str:
    name = person.get("username") or str(person["id"])
    return USERNAME_RE.sub("", name.lower())[:150]


def plan(source: str, data: dict) -> dict:
    """What confirming would do: {"units": [{"id", "name", "action": "exists" |
    "new", "code", "parent"}], "people": [{"id", "name", "action": "linked" |
    "link" | "new" | "skip" | "error", "user_id", "username", "unit", "reason"}],
    "counts": {...}}."""
    units_in = data.get("units", [])
    existing_units = {}
    for u in OrgUnit.objects.filter(is_active=True).order_by("pk"):
        existing_units.setdefault(u.name, u)
    unit_rows, unit_names = [], {}
    for u in units_in:
        found = existing_units.get(u["name"])
        unit_rows.append({"id": u["id"], "name": u["name"], "parent": u.get("parent", ""),
                          "action": "exists" if found else "new", "code": found.code if found else
                          _unit_code(source, u["id"]), "unit_id": found.pk if found else None})
        unit_names[u["id"]] = u["name"]
    codes_taken = set(OrgUnit.objects.filter(code__in=[r["code"] for r in unit_rows if r["action"] == "new"])
                      .values_list("code", flat=True))
    for row in unit_rows:
        if row["action"] == "new" and row["code"] in codes_taken:
            row["action"], row["reason"] = "error", _("编码 %(code)s 已被其他单位使用。") % {"code": row["code"]}

    people_in = data.get("people", [])[:MAX_PEOPLE]
    linked = dict(ExternalAccount.objects.filter(source=source, external_id__in=[str(p["id"]) for p in people_in])
                  .values_list("external_id", "user_id"))
    phones = {}
    for user_id, phone in StaffProfile.objects.filter(user__is_active=True).exclude(phone="").values_list(
            "user_id", "phone"):
        phones.setdefault(phone, []).append(user_id)
    already = set(ExternalAccount.objects.filter(source=source).values_list("user_id", flat=True))
    usernames = {u.lower(): pk for pk, u in User.objects.values_list("pk", "username")}
    rows, seen_usernames = [], set()
    for p in people_in:
        external_id = str(p["id"])
        row = {"id": external_id, "name": p.get("name", ""), "mobile": normalize_phone(p.get("mobile", "")),
               "email": p.get("email", ""), "unit": next((unit_names.get(str(u), "") for u in p.get("units", [])), ""),
               "user_id": None, "username": "", "reason": ""}
        mobile = row["mobile"][3:] if row["mobile"].startswith("+86") else row["mobile"]
        if not p.get("active", True):
            row["action"], row["reason"] = "skip", _("平台上已停用")
        elif external_id in linked:
            row["action"], row["user_id"] = "linked", linked[external_id]
        elif mobile and len([u for u in phones.get(mobile, []) if u not in already]) > 1:
            row["action"], row["reason"] = "error", _("手机号对应多个用户，请在“外部账号”中手工关联。")
        elif mobile and [u for u in phones.get(mobile, []) if u not in already]:
            row["action"], row["user_id"] = "link", [u for u in phones[mobile] if u not in already][0]
        elif source == Source.LDAP and _username_for(source, p) in usernames:
            row["action"], row["user_id"] = "link", usernames[_username_for(source, p)]
        else:
            username = _username_for(source, p)
            if not username or username in usernames or username in seen_usernames:
                row["action"], row["reason"] = "error", _("用户名“%(name)s”已被使用或无效。") % {"name": username}
            else:
                row["action"], row["username"] = "new", username
                seen_usernames.add(username)
        rows.append(row)
    counts = {}
    for r in unit_rows:
        counts["units_" + r["action"]] = counts.get("units_" + r["action"], 0) + 1
    for r in rows:
        counts[r["action"]] = counts.get(r["action"], 0) + 1
    return {"units": unit_rows, "people": rows, "counts": counts}


def read_contacts(*, source: str, actor) -> ContactsImport:
    """Fetch ``source`` and store a preview. Raises PermissionDenied (not HR),
    NotConfigured / PlatformError (source unreachable)."""
    if not may_manage(actor):
        raise PermissionDenied
    data = fetch(source)
    record = ContactsImport(source=source, created_by=actor, data=data, plan=plan(source, data))
    record._history_user = actor
    record.save()
    return record


@transaction.atomic
def apply_import(*, record: ContactsImport, actor) -> dict:
    """HR confirms the preview: plan again and write it all (see module
    docstring). Raises PermissionDenied (not HR), ImportRefused (no longer a
    preview, or rows in error). Returns the plan's counts; audited."""
    if not may_manage(actor):
        raise PermissionDenied
    record = ContactsImport.objects.select_for_update().get(pk=record.pk)
    if record.state != ContactsImport.State.PREVIEW:
        raise ImportRefused(_("该导入已处理（%(state)s），不能再次确认。") % {"state": record.get_state_display()})
    current = plan(record.source, record.data)
    errors = [r for r in current["units"] + current["people"] if r["action"] == "error"]
    if errors:
        record.plan = current
        record.save(update_fields=["plan"])
        raise ImportRefused(_("有 %(count)s 行无法导入，未写入任何数据。请先处理标红的行。") % {"count": len(errors)})
    units = {}
    for row in current["units"]:
        if row["action"] == "exists":
            units[row["id"]] = OrgUnit.objects.get(pk=row["unit_id"])
    pending = [r for r in current["units"] if r["action"] == "new"]
    # Parents first: a unit whose parent is not created yet waits for the next pass.
    while pending:
        progressed = False
        for row in list(pending):
            parent_id = row["parent"]
            if parent_id and parent_id not in units and any(r["id"] == parent_id for r in pending):
                continue
            unit = OrgUnit(code=row["code"], name=row["name"][:100], parent=units.get(parent_id),
                           number_prefix=row["code"][:10])
            unit._history_user = actor
            unit._change_reason = "contacts import"
            unit.save()
            units[row["id"]] = unit
            pending.remove(row)
            progressed = True
        if not progressed:
            raise ImportRefused(_("部门树有循环，无法导入。"))
    by_name = {u.name: u for u in units.values()}
    for row in current["people"]:
        if row["action"] in ("skip", "linked"):
            continue
        if row["action"] == "new":
            user = User(username=row["username"], first_name=row["name"][:150], email=row["email"][:254])
            user.set_unusable_password()
            user.save()
            profile = StaffProfile(user=user, unit=by_name.get(row["unit"]), phone=row["mobile"][:30])
            profile._history_user = actor
            profile.save()
        else:
            user = User.objects.get(pk=row["user_id"])
        account = ExternalAccount(user=user, source=record.source, external_id=row["id"], linked_by="import")
        account._history_user = actor
        account.save()
    record.state = ContactsImport.State.APPLIED
    record.plan = current
    record.applied_at = timezone.now()
    record.applied_by = actor
    record._history_user = actor
    record.save(update_fields=["state", "plan", "applied_at", "applied_by"])
    counts = current["counts"]
    audit.record(AuditEntry.Action.IMPORT, user=actor, obj=record, detail=(
        "通讯录导入（%s）：新建单位 %s 个，新建用户 %s 个，关联 %s 人" % (
            record.get_source_display(), counts.get("units_new", 0), counts.get("new", 0), counts.get("link", 0))))
    return counts


@transaction.atomic
def cancel_import(*, record: ContactsImport, actor) -> ContactsImport:
    """HR drops a preview. Raises PermissionDenied / ImportRefused (not a preview)."""
    if not may_manage(actor):
        raise PermissionDenied
    record = ContactsImport.objects.select_for_update().get(pk=record.pk)
    if record.state != ContactsImport.State.PREVIEW:
        raise ImportRefused(_("该导入已处理（%(state)s），不能再次确认。") % {"state": record.get_state_display()})
    record.state = ContactsImport.State.CANCELLED
    record._history_user = actor
    record.save(update_fields=["state"])
    return record
