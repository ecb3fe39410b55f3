"""Django's User admin plus the action that lifts a login lockout."""
from axes.utils import reset as axes_reset
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from liaison import audit
from liaison.security import locked_until

User = get_user_model()

__all__ = ["UserAdmin"]


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    actions = ["unlock_login"]

    @admin.action(description=_("解除登录锁定"), permissions=["change"])
    def unlock_login(self, request, queryset):
        """Clear the failed-login counter of each selected account
        (liaison.security) and record an UNLOCK row for each."""
        count = 0
        for user in queryset.order_by("username"):
            was_locked = locked_until(user.get_username()) is not None
            cleared = axes_reset(username=user.get_username())
            audit.record(
                audit.Action.UNLOCK,
                request=request,
                obj=user,
                detail=("账户处于锁定状态，已解除；" if was_locked else "账户未处于锁定状态；")
                + "清除 %s 条登录失败记录" % cleared,
            )
            count += 1
        self.message_user(
            request,
            ngettext("已解除 %(count)d 个账户的登录锁定。", "已解除 %(count)d 个账户的登录锁定。", count) % {"count": count},
            messages.SUCCESS,
        )
