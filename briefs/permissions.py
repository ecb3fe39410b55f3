"""Who may do what with the information bulletin (the services check again)."""
from officers.roles import roles_of


def can_compile(user) -> bool:
    """The secretariat compiles, edits and publishes issues and records adoption
    (seed 002 二(一)3, 三(五): the information centre edits and archives)."""
    return bool(user and user.is_authenticated and user.is_active and roles_of(user).is_secretariat)


def can_read(user) -> bool:
    """Published issues are read by all staff (they carry public items only)."""
    return bool(user and user.is_authenticated and user.is_active)
