"""The admin of relations: the secretariat keeps the obligations calendar
here (creating one opens its first due date through the service); visits,
due dates and member changes are shown read-only (they change through the
portal's services). Every queryset starts from relations.selectors."""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from liaison.admin_visibility import NotFoundAdmin
from liaison.errors import LiaisonError

from . import selectors
from .models import FollowUpAction, MemberChange, MemberProfile, Obligation, Occurrence, Visit
from .services import obligations as services


class ReadOnlyHistoryAdmin(NotFoundAdmin, SimpleHistoryAdmin):
    """Shown with its history; changed only through the portal's services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True


class FollowUpActionInline(admin.TabularInline):
    model = FollowUpAction
    fields = ["text", "owner", "due_at", "done_at", "result"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Visit)
class VisitAdmin(ReadOnlyHistoryAdmin):
    list_display = ["visited_on", "external_unit", "unit", "kind", "method", "purpose"]
    list_filter = ["kind", "method", "external_unit__kind"]
    search_fields = ["external_unit__name", "purpose", "findings", "contact__name"]
    list_select_related = ["external_unit", "unit"]
    date_hierarchy = "visited_on"
    inlines = [FollowUpActionInline]

    def get_queryset(self, request):
        return selectors.visits_visible_to(request.user).select_related("external_unit", "unit")


class OccurrenceInline(admin.TabularInline):
    model = Occurrence
    fields = ["due_on", "done_at", "done_by", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Obligation)
class ObligationAdmin(NotFoundAdmin, SimpleHistoryAdmin):
    list_display = ["title", "body", "kind", "recurrence", "first_due_on", "owner_unit", "owner_user", "is_active"]
    list_filter = ["kind", "recurrence", "is_active", "body__kind"]
    search_fields = ["title", "body__name", "owner_unit__name", "owner_user__first_name", "owner_user__username"]
    list_select_related = ["body", "owner_unit", "owner_user"]
    # owner_user is a plain select: the autocomplete would need the user admin's view right.
    autocomplete_fields = ["body", "owner_unit"]
    fields = ["body", "title", "kind", "description", "recurrence", "first_due_on", "owner_unit", "owner_user",
              "remind_days", "is_active"]
    inlines = [OccurrenceInline]

    def get_queryset(self, request):
        return selectors.obligations_visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        # The first due date opened an occurrence: later dates follow from it.
        return ["first_due_on"] if obj is not None else []

    def revert_disabled(self, request, obj=None):
        return True

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the due dates and proofs stay

    def save_model(self, request, obj, form, change):
        try:
            if change:
                services.update_obligation(actor=request.user, obligation=obj)
            else:
                services.create_obligation(actor=request.user, obligation=obj)
        except LiaisonError as error:  # the form checked the owner; what is left is the actor's right
            messages.error(request, str(error))
            raise PermissionDenied from error


@admin.register(Occurrence)
class OccurrenceAdmin(ReadOnlyHistoryAdmin):
    list_display = ["due_on", "obligation", "done_at", "done_by"]
    list_filter = ["obligation__kind"]
    search_fields = ["obligation__title", "obligation__body__name"]
    list_select_related = ["obligation__body", "done_by"]
    date_hierarchy = "due_on"

    def get_queryset(self, request):
        return selectors.occurrences_visible_to(request.user).select_related("obligation__body", "done_by")


@admin.register(MemberProfile)
class MemberProfileAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "unit", "legal_representative", "updated_at"]
    search_fields = ["name", "unit__name"]

    def get_queryset(self, request):
        return selectors.profiles_visible_to(request.user)


@admin.register(MemberChange)
class MemberChangeAdmin(ReadOnlyHistoryAdmin):
    list_display = ["unit", "state", "submitted_by", "submitted_at", "decided_by"]
    list_filter = ["state"]
    search_fields = ["unit__name", "name", "explanation"]
    list_select_related = ["unit", "submitted_by", "decided_by"]

    def get_queryset(self, request):
        return selectors.member_changes_visible_to(request.user)
