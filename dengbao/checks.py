"""System checks for level 3 (LIAISON_SECURITY_LEVEL=3)."""
from django.contrib.auth import get_user_model
from django.core.checks import Warning, register
from django.db import DatabaseError

from .duties import level3


@register()
def superuser_in_use(app_configs=None, **kwargs):
    """dengbao.W001: at level 3 the superuser account is for installation only;
    warn while an active superuser has logged in (GB/T 22239-2019 8.1.4.2 c):
    administrators work under their own separated accounts)."""
    if not level3():
        return []
    try:
        names = list(
            get_user_model()
            .objects.filter(is_superuser=True, is_active=True, last_login__isnull=False)
            .order_by("username")
            .values_list("username", flat=True)[:10]
        )
    except DatabaseError:  # no database yet (first migrate): nothing to say
        return []
    if not names:
        return []
    return [
        Warning(
            f"Superuser account(s) active and used at security level 3: {', '.join(names)}.",
            hint="At 等保 level 3 the superuser is for installation only: give the system, security and audit "
            "administrator duties to three people (admin 管理员职责) and switch the superuser off (untick 有效).",
            id="dengbao.W001",
        )
    ]
