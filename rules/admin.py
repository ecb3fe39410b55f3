"""The rules in the admin console for the secretariat: the document's
settings are edited here (title, interpreting unit, revision period,
confirmation days, switched off); versions and read receipts are read-only
(drafting, publication and confirmation go through the portal's services,
which supersede, ask the officers and write the history). Every list is
narrowed by the portal's selectors (liaison.admin_visibility)."""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from liaison.admin_visibility import VisibleOnlyAdmin

from .models import ReadConfirmation, RuleDocument, RuleVersion
from .selectors import confirmations_visible_to, documents_visible_to, versions_visible_to


class _Visible(VisibleOnlyAdmin, SimpleHistoryAdmin):
    selector = None

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=type(self).selector(request.user).values("pk"))


@admin.register(RuleDocument)
class RuleDocumentAdmin(_Visible):
    selector = staticmethod(documents_visible_to)
    list_display = ("code", "title", "owner_unit", "revision_due_on", "is_active", "portal")
    list_filter = ("is_active",)
    search_fields = ("code", "title")
    list_select_related = ("owner_unit",)
    fields = ("code", "title", "owner_unit", "description", "revise_every_months", "confirm_within_days",
              "revision_due_on", "is_active", "created_by", "created_at")
    readonly_fields = ("created_by", "created_at", "revision_due_on")

    def has_add_permission(self, request):
        return False  # a document is created with its first version on the portal (rules:document-new)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("门户页面"))
    def portal(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("rules:document", args=[obj.pk]), _("打开"))


class _ReadOnly(_Visible):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RuleVersion)
class RuleVersionAdmin(_ReadOnly):
    selector = staticmethod(versions_visible_to)
    list_display = ("document", "number", "state", "effective_on", "published_at")
    list_filter = ("state",)
    search_fields = ("document__title", "document__code", "number")
    list_select_related = ("document",)


@admin.register(ReadConfirmation)
class ReadConfirmationAdmin(_ReadOnly):
    selector = staticmethod(confirmations_visible_to)
    list_display = ("version", "user", "reason", "requested_at", "remind_at", "confirmed_at")
    list_filter = ("reason", ("confirmed_at", admin.EmptyFieldListFilter))
    search_fields = ("user__username", "user__first_name", "version__document__title")
    list_select_related = ("version__document", "user")
