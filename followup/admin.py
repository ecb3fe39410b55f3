"""The admin console shows circulation and instructions of the items the
user may see (``items_visible_to``), read-only: changes go through the
portal's services."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from infoflow.visibility import items_visible_to
from liaison.admin_visibility import VisibleOnlyAdmin

from .models import Circulation, CirculationReader, Instruction, InstructionTask, Proposal, ReadReceipt


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


@admin.register(Circulation)
class CirculationAdmin(VisibleOnly):
    list_display = ("item", "sent_by", "sent_at", "remind_at")
    list_select_related = ("item", "sent_by")


@admin.register(CirculationReader)
class CirculationReaderAdmin(VisibleOnly):
    list_display = ("item", "user", "read_at", "reminded_at")
    list_select_related = ("item", "user")


class ReadOnlyVisible(VisibleOnlyAdmin):
    """For rows without history (read receipts)."""

    visible_queryset = VisibleOnly.visible_queryset
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
