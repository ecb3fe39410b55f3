"""Admin of the suggestion box: its data only — the categories and the
boxes' named people. Cases are handled in the portal (their visibility rule
lives in suggestions.selectors); Identity is registered nowhere (issue 17 §3)."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Category, Handler


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "sort_order", "active")
    list_editable = ("sort_order", "active")


@admin.register(Handler)
class HandlerAdmin(SimpleHistoryAdmin):
    list_display = ("box", "user", "role")
    list_filter = ("box", "role")
    autocomplete_fields = ("user",)
