"""The assessment in the admin console: HR edits a period's criteria and
weights; results, hand scores and awards are read here and changed through
the assessment pages (officers.assessment), which keep their rules and history."""
from django.contrib import admin

from .admin import HistoryAdmin
from .assessment_models import AssessmentPeriod, AssessmentResult, Criterion, HandScore, OfficerAward


class ReadOnlyAdmin(HistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["sort_order", "code", "name", "source", "weight", "target"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_published


@admin.register(AssessmentPeriod)
class AssessmentPeriodAdmin(HistoryAdmin):
    list_display = ["year", "title", "state", "computed_at", "published_at"]
    readonly_fields = ["state", "opened_by", "opened_at", "computed_at", "published_by", "published_at", "pass_mark",
                       "excellent_rule"]
    inlines = [CriterionInline]

    def has_add_permission(self, request):
        return False  # opened on the assessment page (officers.assessment.open_period)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AssessmentResult)
class AssessmentResultAdmin(ReadOnlyAdmin):
    list_display = ["period", "rank", "user", "unit", "total", "adjustment", "passed", "excellent"]
    list_filter = ["period", "passed", "excellent"]
    list_select_related = ["period", "user", "unit"]
    search_fields = ["user__username", "user__first_name", "unit__name"]
    exclude = ["parts"]


@admin.register(HandScore)
class HandScoreAdmin(ReadOnlyAdmin):
    list_display = ["result", "criterion", "score", "scored_by", "scored_at"]
    list_select_related = ["result__period", "result__user", "criterion__period", "scored_by"]


@admin.register(OfficerAward)
class OfficerAwardAdmin(ReadOnlyAdmin):
    list_display = ["period", "user", "unit", "title", "score", "awarded_at"]
    list_select_related = ["period", "user", "unit"]
