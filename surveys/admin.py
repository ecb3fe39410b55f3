"""Admin of surveys: visibility-limited like the portal (selectors.
surveys_visible_to, liaison.admin_visibility). Questions are edited inline
until the first answer; recipients (their tokens) and responses are not
registered: a response of an anonymous survey must never be put next to a
person, and the links are handed out from the portal's links page."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from liaison.admin_visibility import VisibleOnlyAdmin

from .models import Question, Survey
from .selectors import manages_surveys, surveys_visible_to


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ("position", "kind", "text", "required", "scale_max")
    extra = 0

    def _frozen(self, request, obj) -> bool:
        return obj is not None and (obj.responses_count > 0 or obj.state == Survey.State.CLOSED
                                    or not manages_surveys(request.user))

    def has_add_permission(self, request, obj=None):
        return not self._frozen(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(request, obj) and super().has_delete_permission(request, obj)


@admin.register(Survey)
class SurveyAdmin(VisibleOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("title", "state", "anonymous", "due_at", "responses_count", "created_by")
    list_filter = ("state", "anonymous")
    search_fields = ("title",)
    filter_horizontal = ("viewers",)
    readonly_fields = ("state", "opened_at", "due_at", "closed_at", "closed_by", "created_by", "responses_count")
    list_select_related = ("created_by",)
    inlines = [QuestionInline]

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=surveys_visible_to(request.user).values("pk"))

    def has_change_permission(self, request, obj=None):
        return manages_surveys(request.user) and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return manages_surveys(request.user) and super().has_add_permission(request)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.state != Survey.State.DRAFT:
            fields += ["anonymous", "working_days"]  # a promise to respondents; the deadline is set
        return fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
