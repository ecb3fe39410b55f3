"""Level 3 (LIAISON_SECURITY_LEVEL=3): the second factor before any admin or
audit page, the three administrators kept apart in the admin, and the
auditor read-only in the portal (every POST refused but AUDITOR_MAY_POST).

At level 2 this middleware passes every request through untouched.
"""
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode

from .duties import Duty, duties_of, level3, needs_second_factor
from .services import has_second_factor

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

# Admin pages about roles and permissions: the security administrator's.
ROLE_MODELS = ("officers/roleassignment/", "auth/group/", "dengbao/adminduty/", "auth/permission/")
# Open to everyone who reached the admin login: nothing to protect yet.
ADMIN_OPEN = ("login/", "logout/", "jsi18n/")


# The portal's POST views an auditor still uses at level 3: their own session,
# password, second factor, language and notices, and exports (a read) — none
# changes business data.
AUDITOR_MAY_POST = frozenset({
    "login", "logout", "password_change", "set_language", "admin-login-checked",
    "dengbao:verify", "dengbao:enrol", "dengbao:codes",
    "notification-read", "notification-read-all", "notification-preferences",
    "exports:log-start",
})


def _admin_prefix() -> str:
    return reverse("admin:index")


def guarded(path: str) -> bool:
    """True for the pages level 3 keeps behind the second factor: the admin,
    the portal's audit log, the audit archive batches, the access reviews
    and HR's directory pages (sync reports, contacts imports: accounts are
    deactivated and created there)."""
    admin = _admin_prefix()
    if path.startswith(admin):
        return not path[len(admin):].startswith(ADMIN_OPEN)
    return path.startswith((reverse("audit-list"), reverse("dengbao:archive-batches"), reverse("dengbao:reviews"),
                            reverse("directory:reports"), reverse("directory:imports")))


def refusal(user, path: str, method: str) -> bool:
    """三员分立 in the admin at level 3: the auditor changes nothing, the
    system administrator does not change roles or permissions, the security
    administrator does not create or delete accounts. (The audit log itself is
    refused through liaison.audit's veto, see dengbao.apps.)"""
    admin = _admin_prefix()
    if not path.startswith(admin) or method in SAFE_METHODS:
        return False
    rest = path[len(admin):]
    if rest.startswith(("logout/", "password_change/", "jsi18n/")):
        return False
    duties = duties_of(user)
    if Duty.AUDIT in duties:
        return True
    if Duty.SYSTEM in duties and rest.startswith(ROLE_MODELS):
        return True
    if Duty.SECURITY in duties and rest.startswith("auth/user/") and (
        rest.startswith("auth/user/add/") or rest.rstrip("/").endswith("/delete") or rest == "auth/user/"
    ):
        return True  # rest == "auth/user/": the changelist's bulk actions (delete, deactivate)
    return False


def auditor_refused(request) -> bool:
    """Level 3 (三员分立, GB/T 22239-2019 8.1.4.2 d): the auditor (the audit
    duty, the supervision role included) changes no business data in the
    portal either — every request but GET/HEAD/OPTIONS to a portal URL is
    refused, except the few of AUDITOR_MAY_POST. The admin is refusal()'s."""
    user = getattr(request, "user", None)
    if request.method in SAFE_METHODS or not getattr(user, "is_authenticated", False):
        return False
    if request.path.startswith(_admin_prefix()) or Duty.AUDIT not in duties_of(user):
        return False
    try:
        name = resolve(request.path_info).view_name
    except Resolver404:
        return False  # the 404 follows
    return name not in AUDITOR_MAY_POST


class SecondFactorMiddleware:
    """After authentication, sessions and django_otp.middleware.OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if level3() and guarded(request.path):
            user = request.user
            if needs_second_factor(user) and not user.is_verified():
                target = "dengbao:verify" if has_second_factor(user) else "dengbao:enrol"
                return HttpResponseRedirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
            if user.is_authenticated and refusal(user, request.path, request.method):
                raise PermissionDenied
        if level3() and auditor_refused(request):
            raise PermissionDenied
        return self.get_response(request)
