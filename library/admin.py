"""The library in the admin console. Categories are data the secretariat
edits here. Entries and needs are read-only here, narrowed to what the portal
shows (``entries_visible_to`` / ``needs_visible_to`` through
liaison.admin_visibility, history pages included): every change goes through
library.services in the portal, which checks the actor, keeps the search text
and the restricted units right and tells the departments whose needs match."""
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from liaison.admin_visibility import VisibleOnlyAdmin

from .models import Category, Entry, EntryFile, Need
from .selectors import entries_visible_to, needs_visible_to


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True


@admin.register(Category)
class CategoryAdmin(SimpleHistoryAdmin):
    list_display = ("name", "description", "sort_order", "active")
    list_editable = ("sort_order", "active")
    search_fields = ("name",)


class EntryFileInline(ReadOnlyMixin, admin.TabularInline):
    model = EntryFile
    fields = ("original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    extra = 0


@admin.register(Entry)
class EntryAdmin(ReadOnlyMixin, VisibleOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("title", "category", "department", "confidentiality", "valid_from", "valid_until", "state",
                    "featured", "updated_at")
    list_filter = ("category", "state", "confidentiality", "featured")
    list_select_related = ("category", "department")
    search_fields = ("title", "reference")
    # The source item is left out: its select (history pages render the form) would list every item.
    exclude = ("search_text", "source_item")
    inlines = [EntryFileInline]

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=entries_visible_to(request.user).values("pk"))

    def view_on_site(self, obj):
        return reverse("library:entry", args=[obj.pk])


@admin.register(Need)
class NeedAdmin(ReadOnlyMixin, VisibleOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("unit", "title", "keywords", "active", "created_by", "created_at")
    list_filter = ("active",)
    list_select_related = ("unit", "created_by")

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=needs_visible_to(request.user).values("pk"))
