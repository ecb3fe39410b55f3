"""The directory app in the admin: HR keeps group → role mappings, the
external ids of people (WeCom / DingTalk userid), the WeCom / DingTalk
application (corp id, agent id, app key — the secret stays in the
environment); sync reports and contacts imports are read-only here and
shown to HR only (selectors)."""
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from liaison.admin_visibility import NotFoundAdmin

from . import selectors
from .models import ContactsImport, ExternalAccount, GroupRoleMap, MessengerApp, SyncReport


@admin.register(GroupRoleMap)
class GroupRoleMapAdmin(SimpleHistoryAdmin):
    list_display = ["group", "role", "note"]
    list_filter = ["role"]
    search_fields = ["group", "note"]


@admin.register(ExternalAccount)
class ExternalAccountAdmin(SimpleHistoryAdmin):
    list_display = ["user", "source", "external_id", "linked_by", "linked_at"]
    list_filter = ["source", "linked_by"]
    search_fields = ["user__username", "user__first_name", "external_id"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    readonly_fields = ["linked_at", "linked_by"]

    def save_model(self, request, obj, form, change):
        if not change or "external_id" in form.changed_data:
            obj.linked_by = "hr"
        super().save_model(request, obj, form, change)


@admin.register(MessengerApp)
class MessengerAppAdmin(SimpleHistoryAdmin):
    list_display = ["platform", "corp_id", "agent_id", "app_key", "login_enabled", "messages_enabled", "secret_state"]
    readonly_fields = ["secret_state"]

    @admin.display(description=_("密钥"))
    def secret_state(self, obj):
        secret = (settings.DIRECTORY_WECOM_SECRET if obj and obj.platform == MessengerApp.Platform.WECOM
                  else settings.DIRECTORY_DINGTALK_SECRET)
        variable = "LIAISON_WECOM_SECRET" if obj and obj.platform == MessengerApp.Platform.WECOM else \
            "LIAISON_DINGTALK_APP_SECRET"
        state = _("已在环境变量中设置") if secret else _("未设置")
        return f"{variable}: {state}"


class ReadOnlyAdmin(NotFoundAdmin, SimpleHistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SyncReport)
class SyncReportAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "source", "new_count", "changed_count", "missing_count", "disabled_count",
                    "reviewed_at"]
    list_select_related = ["reviewed_by"]

    def get_queryset(self, request):
        return selectors.reports_visible_to(request.user)


@admin.register(ContactsImport)
class ContactsImportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "source", "state", "created_by", "applied_at"]
    list_filter = ["source", "state"]
    exclude = ["data"]

    def get_queryset(self, request):
        return selectors.imports_visible_to(request.user)
