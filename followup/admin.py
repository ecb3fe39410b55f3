"""The admin console shows circulation and instructions of the items the
user may see (``items_visible_to``) — circulations, readers and read receipts
only to those who may see the reading (``selectors.items_reading_visible_to``)
and one's own — read-only: changes go through the portal's services."""
from django.contrib import admin
from django.db.models import Q
from simple_history.admin import SimpleHistoryAdmin

from infoflow.visibility import items_visible_to
from liaison.admin_visibility import VisibleOnlyAdmin

from .models import Circulation, CirculationReader, Instruction, InstructionTask, Proposal, ReadReceipt
from .selectors import items_reading_visible_to


class VisibleOnly(VisibleOnlyAdmin, SimpleHistoryAdmin):
    def visible_queryset(self, request, queryset):
        return queryset.filter(item__in=items_visible_to(request.user))

    def get_readonly_fields(self, request, obj=None):
        # Every field read-only: a select of all items (or users) on the change
        # and history pages would list items outside the user's visibility.
        return [f.name for f in self.model._meta.get_fields() if f.concrete and not f.auto_created]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadingOnly(VisibleOnly):
    """Who was circulated and who has read: as the portal's reading page
    (``permissions.sees_reading``), plus one's own rows."""

    def visible_queryset(self, request, queryset):
        mine = Q(item__in=items_reading_visible_to(request.user))
        if queryset.model is not Circulation:
            mine |= Q(user_id=request.user.pk, item__in=items_visible_to(request.user))
        return queryset.filter(mine)


@admin.register(Circulation)
class CirculationAdmin(ReadingOnly):
    list_display = ("item", "sent_by", "sent_at", "remind_at")
    list_select_related = ("item", "sent_by")


@admin.register(CirculationReader)
class CirculationReaderAdmin(ReadingOnly):
    list_display = ("item", "user", "read_at", "reminded_at")
    list_select_related = ("item", "user")


class ReadOnlyVisible(VisibleOnlyAdmin):
    """For rows without history (read receipts)."""

    visible_queryset = ReadingOnly.visible_queryset
    get_readonly_fields = VisibleOnly.get_readonly_fields
    has_add_permission = VisibleOnly.has_add_permission
    has_change_permission = VisibleOnly.has_change_permission
    has_delete_permission = VisibleOnly.has_delete_permission


@admin.register(ReadReceipt)
class ReadReceiptAdmin(ReadOnlyVisible):
    list_display = ("item", "user", "read_at")
    list_select_related = ("item", "user")


@admin.register(Proposal)
class ProposalAdmin(VisibleOnly):
    list_display = ("item", "proposed_by", "proposed_at")
    list_select_related = ("item", "proposed_by")


@admin.register(Instruction)
class InstructionAdmin(VisibleOnly):
    list_display = ("item", "author", "written_at")
    list_select_related = ("item", "author")


@admin.register(InstructionTask)
class InstructionTaskAdmin(VisibleOnly):
    list_display = ("item", "owner", "due_at", "state")
    list_filter = ("state",)
    list_select_related = ("item", "owner")
