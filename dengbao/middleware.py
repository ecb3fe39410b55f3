"""Level 3 (LIAISON_SECURITY_LEVEL=3): the second factor before any admin or
audit page, and the three administrators kept apart in the admin.

At level 2 this middleware passes every request through untouched.
"""
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from .duties import Duty, duties_of, level3, needs_second_factor
from .services import has_second_factor

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

# Admin pages about roles and permissions: the security administrator's.
ROLE_MODELS = ("officers/roleassignment/", "auth/group/", "dengbao/adminduty/", "auth/permission/")
# Open to everyone who reached the admin login: nothing to protect yet.
ADMIN_OPEN = ("login/", "logout/", "jsi18n/")


def _admin_prefix() -> str:
    return reverse("admin:index")


def guarded(path: str) -> bool:
    """True for the pages level 3 keeps behind the second factor: the admin,
    the portal's audit log, the audit archive batches and the access reviews."""
    admin = _admin_prefix()
    if path.startswith(admin):
        return not path[len(admin):].startswith(ADMIN_OPEN)
    return path.startswith((reverse("audit-list"), reverse("dengbao:archive-batches"), reverse("dengbao:reviews")))


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
        return self.get_response(request)
