"""Admin: the retention table is edited here; archived records, their files,
appraisals, destruction lines, holds and batches are read-only (changes go
through the archive services in the portal)."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Appraisal,
    ArchivedFile,
    ArchivedRecord,
    DestructionEntry,
    DisposalBatch,
    GapExplanation,
    Hold,
    RetentionRule,
    VerificationRun,
)


@admin.register(RetentionRule)
class RetentionRuleAdmin(SimpleHistoryAdmin):
    list_display = ["category", "importance", "retention", "note"]
    list_filter = ["importance", "retention"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


class ArchivedFileInline(admin.TabularInline):
    model = ArchivedFile
    fields = ["index", "purpose", "original_name", "recorded_type", "detected_type", "size", "sha256"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ArchivedRecord)
class ArchivedRecordAdmin(ReadOnlyAdmin):
    list_display = ["number", "subject", "class_top", "class_mid", "class_date", "importance", "retention", "state"]
    list_filter = ["year", "importance", "retention", "state", "direction"]
    search_fields = ["number", "subject"]
    exclude = ["content", "search_text"]
    inlines = [ArchivedFileInline]
    list_select_related = True


@admin.register(Appraisal, DestructionEntry, VerificationRun)
class ChainAdmin(ReadOnlyAdmin):
    pass


@admin.register(Hold, DisposalBatch, GapExplanation)
class ReadOnlyHistoryAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    pass
