"""System checks for level 3 (LIAISON_SECURITY_LEVEL=3)."""
from django.contrib.auth import get_user_model
from django.conf import settings
from django.core.checks import Error, Warning, register
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


AUDIT_MIN_MONTHS = 6  # 网络安全法 第二十一条（三）: 留存相关的网络日志不少于六个月


@register()
def audit_retention(app_configs=None, **kwargs):
    """dengbao.E001: the audit log must be kept at least six months (网络安全法
    art. 21(3); GB/T 22239-2019 8.1.4.3 d). The environment variable is
    refused at start-up by liaison/settings.py; this catches a value set in code."""
    months = getattr(settings, "AUDIT_KEEP_MONTHS", AUDIT_MIN_MONTHS)
    if isinstance(months, int) and months >= AUDIT_MIN_MONTHS:
        return []
    return [
        Error(
            f"AUDIT_KEEP_MONTHS is {months!r}: the audit log must be kept at least {AUDIT_MIN_MONTHS} months.",
            hint="Set LIAISON_AUDIT_KEEP_MONTHS to 6 or more (网络安全法 第二十一条: 网络日志留存不少于六个月).",
            id="dengbao.E001",
        )
    ]
