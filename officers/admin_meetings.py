"""Meetings, action items, trainings and inductions in the admin console:
read-only (every change goes through officers.meetings / officers.trainings,
which check the actor and tell the people concerned), narrowed to what the
portal shows (liaison.admin_visibility). A coordination meeting's item is
shown by number only, and only to who sees the item."""
from django.contrib import admin
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from infoflow.visibility import items_visible_to
from liaison.admin_visibility import VisibleOnlyAdmin

from .meeting_models import ActionItem, Induction, Invitation, Meeting, Training, TrainingAttendance
from .meetings import action_items_visible_to, meetings_visible_to, sees_all
from .trainings import trainings_visible_to


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True


class InvitationInline(ReadOnlyMixin, admin.TabularInline):
    model = Invitation
    fields = ("user", "unit", "response", "delegate", "attendance", "minutes_read_at")
    readonly_fields = fields
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyMixin, VisibleOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("starts_at", "title", "kind", "mode", "state")
    list_filter = ("kind", "state", "mode")
    search_fields = ("title",)
    exclude = ("item",)
    readonly_fields = ("item_number",)
    inlines = [InvitationInline]

    def visible_queryset(self, request, queryset):
        # The item's number only where the user sees the item.
        number = items_visible_to(request.user).filter(pk=OuterRef("item_id")).values("number")[:1]
        return queryset.filter(pk__in=meetings_visible_to(request.user).values("pk")).annotate(
            visible_item_number=Subquery(number))

    @admin.display(description=_("关联信息"))
    def item_number(self, obj):
        if not obj.item_id:
            return "—"
        return getattr(obj, "visible_item_number", None) or _("（您无权查看该信息）")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Meeting._meta.concrete_fields if f.name != "item"] + ["item_number"]


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyMixin, VisibleOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("text", "owner", "due_at", "done_at")
    list_filter = ("done_at",)
    search_fields = ("text",)
    list_select_related = ("owner",)

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=action_items_visible_to(request.user).values("pk"))


class TrainingAttendanceInline(ReadOnlyMixin, admin.TabularInline):
    model = TrainingAttendance
    fields = ("user", "present", "hours")
    readonly_fields = fields
    extra = 0


@admin.register(Training)
class TrainingAdmin(ReadOnlyMixin, VisibleOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("starts_at", "title", "trainer", "hours", "is_induction")
    list_filter = ("is_induction",)
    search_fields = ("title", "trainer")
    inlines = [TrainingAttendanceInline]

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=trainings_visible_to(request.user).values("pk"))


@admin.register(Induction)
class InductionAdmin(ReadOnlyMixin, VisibleOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("officer", "due_on", "done_on")
    list_filter = ("done_on",)
    list_select_related = ("officer__user", "officer__unit")

    def visible_queryset(self, request, queryset):
        return queryset if sees_all(request.user) else queryset.filter(officer__user=request.user)
