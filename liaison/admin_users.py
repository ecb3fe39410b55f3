"""Django's User admin plus the action that lifts a login lockout."""
from axes.utils import reset as axes_reset
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from liaison import hooks

User = get_user_model()

__all__ = ["UserAdmin"]


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    actions = ["unlock_login", "deactivate"]

    def save_model(self, request, obj, form, change):
        """Unticking 有效 switches the account off through the service, which
        hands the user's open review steps over (an inactive user keeps no
        open step) and tells the secretariat (liaison.hooks: the information
        flow registers it)."""
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            self._hand_over(request, hooks.deactivate_user(user=obj, actor=request.user), obj)

    def _hand_over(self, request, done, user):
        if done:
            self.message_user(
                request,
                ngettext("%(user)s 的 %(count)d 个待审核环节已转交，并已通知秘书处。",
                         "%(user)s 的 %(count)d 个待审核环节已转交，并已通知秘书处。", len(done))
                % {"user": user.get_full_name() or user.username, "count": len(done)},
                messages.SUCCESS,
            )

    @admin.action(description=_("停用账号并转交待审核环节"), permissions=["change"])
    def deactivate(self, request, queryset):
        """Switch each selected account off through the same service as the
        change form (liaison.hooks.deactivate_user)."""
        for user in queryset.order_by("pk"):
            if not self.has_change_permission(request, user):
                self.message_user(
                    request, _("您无权停用账号 %(user)s。") % {"user": user.get_full_name() or user.username},
                    messages.ERROR,
                )
                continue
            self._hand_over(request, hooks.deactivate_user(user=user, actor=request.user), user)

    @admin.action(description=_("解除登录锁定"), permissions=["change"])
    def unlock_login(self, request, queryset):
        """Clear the failed-login counter of each selected account; the
        handler (liaison.security) writes one UNLOCK row for each, naming
        this administrator."""
        count = 0
        for user in queryset.order_by("username"):
            axes_reset(username=user.get_username())
            count += 1
        self.message_user(
            request,
            ngettext("已解除 %(count)d 个账户的登录锁定。", "已解除 %(count)d 个账户的登录锁定。", count) % {"count": count},
            messages.SUCCESS,
        )


# Axes' failure log is what holds a lock: deleting its rows in the admin would
# unlock an account without an audit row. Unlocking goes through the user
# list's 解除登录锁定 (liaison.security writes the UNLOCK row); the log is read-only.
from axes.admin import AccessFailureLogAdmin  # noqa: E402
from axes.models import AccessFailureLog  # noqa: E402


class ReadOnlyAccessFailureLogAdmin(AccessFailureLogAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


if admin.site.is_registered(AccessFailureLog):
    admin.site.unregister(AccessFailureLog)
admin.site.register(AccessFailureLog, ReadOnlyAccessFailureLogAdmin)
