"""Admin: the retention table is edited here; archived records, their files,
appraisals, destruction lines, holds and batches are read-only (changes go
through the archive services in the portal).

Every screen that shows a record or what hangs on it (list, search, change,
history, holds, appraisals, destruction lines, disposal batches) starts from
``records_visible_to`` like the portal: a restricted record stays with the
people on its path, a superuser included (``VisibleOnlyAdmin``)."""
from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from liaison.admin_visibility import VisibleOnlyAdmin
from liaison.audit import current_request

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
from .selectors import records_visible_to


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


class RecordContentAdmin(VisibleOnlyAdmin):
    """Rows of a record (``record_path`` leads to it) shown only when the
    user may see the record."""

    record_path = "record"

    def visible_queryset(self, request, queryset):
        visible = records_visible_to(request.user).values("pk")
        return queryset.filter(**{self.record_path + "__in": visible})


@admin.register(ArchivedRecord)
class ArchivedRecordAdmin(RecordContentAdmin, ReadOnlyAdmin):
    record_path = "pk"

    list_display = ["number", "subject", "class_top", "class_mid", "class_date", "importance", "retention", "state"]
    list_filter = ["year", "importance", "retention", "state", "direction"]
    search_fields = ["number", "subject"]
    exclude = ["content", "search_text"]
    inlines = [ArchivedFileInline]
    list_select_related = True


@admin.register(VerificationRun)
class ChainAdmin(ReadOnlyAdmin):
    pass


@admin.register(Appraisal, DestructionEntry)
class RecordChainAdmin(RecordContentAdmin, ReadOnlyAdmin):
    pass


@admin.register(GapExplanation)
class ReadOnlyHistoryAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    pass


@admin.register(Hold)
class HoldAdmin(RecordContentAdmin, ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["record", "reason", "set_by", "set_at", "lifted_at"]


@admin.register(DisposalBatch)
class DisposalBatchAdmin(VisibleOnlyAdmin, ReadOnlyAdmin, SimpleHistoryAdmin):
    """A batch shows the numbers of the records the user may see and how
    many others it holds; a batch of records the user may see none of is
    not shown at all."""

    exclude = ["records"]
    readonly_fields = ["record_numbers"]

    def visible_queryset(self, request, queryset):
        return queryset.filter(records__in=records_visible_to(request.user).values("pk")).distinct()

    @admin.display(description=_("档案"))
    def record_numbers(self, batch):
        request = current_request()  # the request being served (simple_history's middleware keeps it)
        numbers = list(batch.records.order_by("number").values_list("number", flat=True))
        if request is None or not getattr(request, "user", None):
            return gettext("%(n)s 件") % {"n": len(numbers)}
        visible = set(records_visible_to(request.user).filter(disposal_batches=batch).values_list("number", flat=True))
        shown = [n for n in numbers if n in visible]
        hidden = len(numbers) - len(shown)
        text = "、".join(shown)
        if hidden:
            text += gettext("（另有 %(n)s 件您无权查看的档案）") % {"n": hidden}
        return text
