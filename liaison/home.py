"""The home page: what each role has to do now (filled by later issues)."""
from officers.roles import roles_of
from officers.selectors import units_without_active_officer


def home_context(user):
    roles = roles_of(user)
    context = {"roles": roles}
    if roles.is_hr or roles.is_secretariat or user.is_superuser:
        context["units_without_officer"] = units_without_active_officer()
    return context
