"""The audit log in the admin console: read-only, for superusers and the
supervision role (liaison.audit.can_view_audit)."""
from django.contrib import admin

from django.utils.translation import gettext_lazy as _

from liaison.audit import can_view_audit, shown_repr
from liaison.models import AuditEntry

from .admin_users import *  # noqa: F401,F403  the User admin with the unlock action


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "who", "action", "object_label", "result", "ip")
    list_filter = ("action", "result", ("at", admin.DateFieldListFilter))
    # Not object_repr or detail: older rows stored item subjects there, and a
    # search that matches them would confirm words of a restricted subject
    # the page itself masks (issue 10 §1). Items are found by id.
    search_fields = ("username", "object_id", "ip")
    date_hierarchy = "at"
    list_select_related = ("user",)
    list_per_page = 50
    show_full_result_count = False
    fields = ("at", "user", "username", "action", "object_type", "object_id", "object_label", "result", "ip", "detail")
    readonly_fields = fields

    @admin.display(description=_("用户"), ordering="username")
    def who(self, entry):
        # People by name; the login name typed (a failed login, a deleted
        # account) when no account stands behind the row. The change page
        # keeps both fields.
        return str(entry.user) if entry.user is not None else (entry.username or "—")

    @admin.display(description=_("对象名称"))
    def object_label(self, entry):
        # Older rows named items by subject; they are shown by number and id (liaison.audit.shown_repr).
        return shown_repr(entry)

    # Append-only: nobody adds, changes or deletes through the admin, not
    # even a superuser; rows come from liaison.audit.record only.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return can_view_audit(request.user)

    def has_module_permission(self, request):
        return can_view_audit(request.user)
