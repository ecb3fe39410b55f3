"""Admin of data calls: every queryset follows the portal's visibility
(datacalls.selectors), like the items' admin (liaison.admin_visibility)."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from liaison.admin_visibility import VisibleOnlyAdmin

from .models import Answer, Call, Occurrence, ReplacementFlag
from .selectors import answers_visible_to, calls_visible_to, flags_visible_to, occurrences_visible_to


@admin.register(Call)
class CallAdmin(VisibleOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("title", "schedule", "recipients", "state", "created_by", "sent_at")
    list_filter = ("state", "schedule", "recipients")
    search_fields = ("title",)
    filter_horizontal = ("units", "viewers")
    readonly_fields = ("created_by", "sent_at")

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=calls_visible_to(request.user).values("pk"))

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Occurrence)
class OccurrenceAdmin(VisibleOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("call", "period", "due_at", "opened_at", "closed_at")
    list_filter = ("closed_at",)
    search_fields = ("call__title", "period")
    list_select_related = ("call",)

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=occurrences_visible_to(request.user).values("pk"))


@admin.register(Answer)
class AnswerAdmin(VisibleOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("occurrence", "unit", "state", "submitted_at", "late")
    list_filter = ("state", "late")
    search_fields = ("unit__name", "occurrence__call__title")
    list_select_related = ("occurrence__call", "unit")
    raw_id_fields = ("occurrence", "submitted_by")

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=answers_visible_to(request.user).values("pk"))


@admin.register(ReplacementFlag)
class ReplacementFlagAdmin(VisibleOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("unit", "officer", "call", "raised_at", "state")
    list_filter = ("state",)
    list_select_related = ("unit", "call", "officer__user")
    raw_id_fields = ("first_occurrence", "occurrences", "officer")

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=flags_visible_to(request.user).values("pk"))
