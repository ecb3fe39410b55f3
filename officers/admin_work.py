"""Work reports, replacement flags and accountability cases in the admin
console: read-only (every change goes through the portal's services, which
check the rules and write the history), narrowed by the same selectors as
the portal (liaison.admin_visibility)."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from liaison.admin_visibility import VisibleOnlyAdmin

from .accountability import cases_visible_to
from .flags import flags_visible_to
from .models import AccountabilityCase, ReplacementFlag, WorkReport
from .work import reports_visible_to


class _ReadOnly(VisibleOnlyAdmin, SimpleHistoryAdmin):
    selector = None

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=type(self).selector(request.user).values("pk"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkReport)
class WorkReportAdmin(_ReadOnly):
    selector = staticmethod(reports_visible_to)
    list_display = ("officer", "unit", "period_start", "due_at", "state", "is_late", "submitted_at")
    list_filter = ("state", "is_late")
    search_fields = ("officer__user__first_name", "officer__user__username", "unit__name")
    list_select_related = ("officer__user", "officer__unit", "unit")


@admin.register(ReplacementFlag)
class ReplacementFlagAdmin(_ReadOnly):
    selector = staticmethod(flags_visible_to)
    list_display = ("officer", "unit", "rule", "summary", "raised_at", "state")
    list_filter = ("rule", "state")
    search_fields = ("officer__user__first_name", "officer__user__username", "unit__name")
    list_select_related = ("officer__user", "officer__unit", "unit")


@admin.register(AccountabilityCase)
class AccountabilityCaseAdmin(_ReadOnly):
    selector = staticmethod(cases_visible_to)
    list_display = ("officer", "kind", "occurred_on", "sanction", "points", "rectification_due", "rectified_on")
    list_filter = ("kind", "sanction")
    search_fields = ("officer__user__first_name", "officer__user__username", "subject_label")
    list_select_related = ("officer__user", "officer__unit")
