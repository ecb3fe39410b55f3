"""The audit log: one append-only row per security-relevant event.

``record(action, ...)`` is the only way rows are written. Logins, failed
logins, lockouts, logouts, password and permission changes are recorded by
receivers in liaison.signals; imports, exports, settings changes and views of
restricted information are recorded by the code that does them.

Append-only: AuditEntry.save refuses to change a stored row, AuditEntry.delete
and the queryset's update()/delete() refuse, and the admin grants no add,
change or delete permission (liaison/admin_audit.py).

Retention: the log is never purged. The issue allows purging after six
months, but there is deliberately no purge command: the archive work will seal
rows into an HMAC chain (the ``seal`` field, empty until then), and a purge
must be designed together with that chain so an auditor can tell a purge from
tampering. Until then there is simply no deletion path in the application.

Who: ``user`` is who did it (the request's user by default), ``username`` the
name typed or held at the time (kept when the account is later deleted).
``obj`` is what it was done to. The IP comes from the request through axes'
client-IP helper, which honours AXES_IPWARE_PROXY_COUNT behind a proxy.
Outside a request view (model signals) the current request is taken from
simple_history's HistoryRequestMiddleware, which already keeps it.
"""
from collections.abc import Callable

from axes.helpers import get_client_ip_address
from django.apps import apps
from django.contrib.auth import get_user_model
from simple_history.models import HistoricalRecords

from liaison.models import AuditEntry

Action = AuditEntry.Action
Result = AuditEntry.Result


def current_request():
    """The request being served in this thread, if any (simple_history keeps it)."""
    return getattr(HistoricalRecords.context, "request", None)


def client_ip(request):
    if request is None:
        return None
    ip = getattr(request, "axes_ip_address", None)
    if ip is None:
        try:
            ip = get_client_ip_address(request)
        except Exception:  # a malformed header must never stop the audit row
            ip = None
    return ip or None


def record(action, *, user=None, request=None, obj=None, result=Result.SUCCESS, detail="", username=""):
    """Append one AuditEntry and return it. ``action`` is an AuditEntry.Action
    value; ``result`` "success" or "failure"."""
    if action not in Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    if result not in Result.values:
        raise ValueError(f"unknown audit result {result!r}")
    if request is None:
        request = current_request()
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None  # AnonymousUser
    if user is not None and not username:
        username = user.get_username()
    if user is not None and user.pk is None:
        user = None

    object_type = object_id = object_repr = ""
    if obj is not None:
        object_type = obj._meta.label
        object_id = str(obj.pk) if obj.pk is not None else ""
        object_repr = describe(obj)[:200]

    return AuditEntry.objects.create(
        action=action,
        user=user,
        username=(username or "")[:150],
        object_type=object_type,
        object_id=object_id[:64],
        object_repr=object_repr,
        result=result,
        ip=client_ip(request),
        detail=detail,
    )


# Fields whose text is an item's content (subject, summary, opinions,
# answers, file names): an object carrying one, or hanging on an item or a
# record, is written by number and id only — the auditor reads every row, and
# may not see a restricted item (issue 10 §1).
CONTENT_FIELDS = ("subject", "summary", "content", "original_name", "opinion", "answer_result", "text")


def describe(obj) -> str:
    """What the audit row calls ``obj``: its ``str()`` for people, units and
    settings; for an item, a record or anything hanging on one (a step, a
    receiver, an attachment, a file…) its number and id, never its content."""
    fields = {f.name for f in obj._meta.concrete_fields}
    owner = None
    for name in ("item", "record"):
        if name in fields and "number" not in fields:  # a record is named by its own number
            owner = getattr(obj, name, None)
            break
    if owner is None and not (fields & set(CONTENT_FIELDS)):
        return str(obj)
    if owner is None:
        owner = obj
    number = getattr(owner, "number", "") or ""
    label = "%s #%s" % (owner._meta.label, owner.pk) if owner.pk is not None else owner._meta.label
    if owner is not obj:
        label = "%s · %s #%s" % (label, obj._meta.label, obj.pk)
    return "%s %s" % (number, label) if number else label


NUMBER = __import__("re").compile(r"^[A-Z]{1,8}-\d{4}-\d+$")


def shown_repr(entry) -> str:
    """What a reader is shown of a row's object. Rows written before
    ``describe`` named an item or record by ``str()`` (number and subject);
    rows are never rewritten (append-only, sealed), so a content object's
    stored name is shown as ``describe`` would write it: number and id."""
    stored = entry.object_repr or ""
    if not entry.object_type or "#" in stored:
        return stored
    try:
        model = apps.get_model(entry.object_type)
    except (LookupError, ValueError):
        return stored
    fields = {f.name for f in model._meta.concrete_fields}
    if not (fields & set(CONTENT_FIELDS)) and not (fields & {"item", "record"}):
        return stored
    first = stored.split(" ", 1)[0]
    label = "%s #%s" % (entry.object_type, entry.object_id)
    return "%s %s" % (first, label) if NUMBER.match(first) else label


def user_named(username):
    """The account with this user name, or None (for failed logins, lockouts)."""
    if not username:
        return None
    return get_user_model().objects.filter(username=username).first()


# Who else may read the log: rules the apps above liaison add from their
# AppConfig.ready() (officers: the supervision role), so that liaison imports
# none of them.
_READER_RULES: list[Callable[[object], bool]] = []


def add_reader_rule(rule: Callable[[object], bool]) -> None:
    """Let users for whom ``rule(user)`` is true read the audit log (called
    from an AppConfig.ready(); adding the same rule twice is harmless)."""
    if rule not in _READER_RULES:
        _READER_RULES.append(rule)


# Who may NOT read the log whatever else they hold: at 等保 level 3 the system
# and security administrators (dengbao adds the rule; 三员分立).
_READER_VETOES: list[Callable[[object], bool]] = []


def add_reader_veto(rule: Callable[[object], bool]) -> None:
    """Refuse the audit log to users for whom ``rule(user)`` is true, even
    superusers (called from an AppConfig.ready(); adding twice is harmless)."""
    if rule not in _READER_VETOES:
        _READER_VETOES.append(rule)


def can_view_audit(user) -> bool:
    """Auditors (the supervision role, a rule officers adds), superusers,
    and whoever was granted liaison.view_audit may read the log; nobody may
    change it. A veto (dengbao, level 3) outranks all of these."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if any(veto(user) for veto in _READER_VETOES):
        return False
    if user.is_superuser:
        return True
    return any(rule(user) for rule in _READER_RULES) or user.has_perm("liaison.view_audit")
