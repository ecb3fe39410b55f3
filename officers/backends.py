"""Admin rights from organisation roles.

Roles are data HR edits (``RoleAssignment``); this backend turns them into
Django model permissions so that the admin console shows each member of staff
exactly what their role allows, with no groups to keep in step by hand.
Superusers keep everything through ``ModelBackend``.

``ROLE_GRANTS`` maps a role to grants ``(app_label, model, actions)`` where
``model`` is a model name or ``"*"`` (every model of the app, historical
models excepted) and ``actions`` are default-permission actions or full
codenames (``"view_audit"``). Later issues append their grants here (e.g. the
secretariat's infoflow configuration).
"""
from django.apps import apps
from django.contrib.auth.backends import BaseBackend

from .models import RoleAssignment

Role = RoleAssignment.Role

ADD_CHANGE_VIEW = ("add", "change", "view")

# Models where a row is the record of what happened (appointments, filings,
# units…): HR may add and change them but not delete, so the history stays.
# These three are plain links that HR must be able to remove.
HR_DELETABLE = ("roleassignment", "officerduty", "externalcontact")

ROLE_GRANTS = {
    Role.HR_ADMIN: [
        ("officers", "*", ADD_CHANGE_VIEW),
        *[("officers", model, ("delete",)) for model in HR_DELETABLE],
        ("auth", "user", ADD_CHANGE_VIEW),
    ],
    Role.SECRETARIAT: [
        ("officers", "*", ("view",)),
        ("liaison", "calendaryear", ADD_CHANGE_VIEW),
        ("liaison", "calendarday", ADD_CHANGE_VIEW),
    ],
    Role.SUPERVISION: [
        ("officers", "*", ("view",)),
        ("liaison", "*", ("view",)),
        ("liaison", "auditentry", ("view_audit",)),
    ],
}
# infoflow: the secretariat edits routes and categories (routes are data) and
# reads items in the console (the list still goes through items_visible_to).
ROLE_GRANTS[Role.SECRETARIAT] += [
    ("infoflow", "routerule", ADD_CHANGE_VIEW),
    ("infoflow", "routestage", ("add", "change", "view", "delete")),
    ("infoflow", "category", ADD_CHANGE_VIEW),
    ("infoflow", "item", ("view",)),
    # The escalation ladder of overdue review steps is data too (infoflow.ladder).
    ("infoflow", "escalationrung", ("change", "view")),
]
ROLE_GRANTS[Role.SUPERVISION] += [("infoflow", "item", ("view",)), ("infoflow", "routerule", ("view",))]
# Surveys (issue 19 §2): the secretariat edits a survey's settings and its questions until the
# first answer (the list still goes through surveys.selectors; responses are not in the admin).
ROLE_GRANTS[Role.SECRETARIAT] += [
    ("surveys", "survey", ADD_CHANGE_VIEW),
    ("surveys", "question", ("add", "change", "view", "delete")),
]
# The rules (issue 19 §5): the secretariat edits a document's settings and reads
# versions and read receipts; supervision and HR read them (the lists still go
# through rules.selectors).
ROLE_GRANTS[Role.SECRETARIAT] += [
    ("rules", "ruledocument", ("change", "view")),
    ("rules", "ruleversion", ("view",)),
    ("rules", "readconfirmation", ("view",)),
]
ROLE_GRANTS[Role.SUPERVISION] += [("rules", "*", ("view",))]
ROLE_GRANTS[Role.HR_ADMIN] += [("rules", "readconfirmation", ("view",))]
# The information library (issue 19 §1): the secretariat edits its categories and reads entries
# and needs in the console (the lists still go through library.selectors; changes in the portal).
ROLE_GRANTS[Role.SECRETARIAT] += [
    ("library", "category", ADD_CHANGE_VIEW),
    ("library", "entry", ("view",)),
    ("library", "need", ("view",)),
]
ROLE_GRANTS[Role.SUPERVISION] += [("library", "*", ("view",))]
# The secretariat's lead does what the secretariat does.
ROLE_GRANTS[Role.SECRETARIAT_LEAD] = ROLE_GRANTS[Role.SECRETARIAT]

# Roles that need the admin console (is_staff), kept by officers.services.assign_role.
ADMIN_ROLES = frozenset(
    {Role.HR_ADMIN, Role.SECRETARIAT, Role.SECRETARIAT_LEAD, Role.SUPERVISION, Role.ARCHIVIST}
)


def _models(app_label, model):
    try:
        config = apps.get_app_config(app_label)
    except LookupError:
        return []
    if model == "*":
        # Historical models are read through their object's history page.
        return [m for m in config.get_models() if not m._meta.model_name.startswith("historical")]
    try:
        return [config.get_model(model)]
    except LookupError:
        return []


def permissions_for_roles(roles) -> set[str]:
    """``{"app_label.codename", ...}`` granted by the given roles."""
    perms = set()
    for role in roles:
        for app_label, model, actions in ROLE_GRANTS.get(role, ()):
            for model_class in _models(app_label, model):
                for action in actions:
                    codename = action if "_" in action else f"{action}_{model_class._meta.model_name}"
                    perms.add(f"{app_label}.{codename}")
    return perms


class RolePermissionBackend(BaseBackend):
    """Grants model permissions by role; never authenticates anyone."""

    cache_attr = "_role_perm_cache"

    def authenticate(self, request, **credentials):
        return None

    def get_all_permissions(self, user_obj, obj=None):
        # Model-level only, like ModelBackend; object permissions are guardian's.
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        cached = getattr(user_obj, self.cache_attr, None)
        if cached is None:
            roles = RoleAssignment.objects.filter(user_id=user_obj.pk).values_list("role", flat=True)
            cached = frozenset(permissions_for_roles(roles))
            setattr(user_obj, self.cache_attr, cached)
        return set(cached)

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        prefix = app_label + "."
        return any(perm.startswith(prefix) for perm in self.get_all_permissions(user_obj))


def forget_permissions(user) -> None:
    """Drop the cached permissions after a change of roles in the same request."""
    if hasattr(user, RolePermissionBackend.cache_attr):
        delattr(user, RolePermissionBackend.cache_attr)
