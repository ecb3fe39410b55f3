"""Who may do what in the archive (the services check again)."""
from officers.roles import roles_of


def can_archive(user) -> bool:
    """The secretariat archives earlier than the automatic sweep."""
    return bool(user and user.is_authenticated and user.is_active and roles_of(user).is_secretariat)


def can_manage(user) -> bool:
    """Holds, appraisals, disposal proposals, gap explanations: the secretariat."""
    return can_archive(user)


def can_decide_disposal(user) -> bool:
    """A supervising leader (someone who supervises a unit) approves or refuses."""
    return bool(user and user.is_authenticated and user.is_active and roles_of(user).is_leader)


def can_see_reports(user) -> bool:
    """The four-property report, the destruction list and disposal pages."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    roles = roles_of(user)
    return user.is_superuser or roles.is_secretariat or roles.is_archivist or roles.is_supervision or roles.is_leader
