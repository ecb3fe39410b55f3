"""Admin of the incident register: its data only — the severity levels the
secretariat edits (time limit, reminder interval). Incidents themselves are
handled in the portal, where incidents.selectors decides who sees them."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Severity


@admin.register(Severity)
class SeverityAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "limit_days", "remind_days", "sort_order", "active")
    list_editable = ("sort_order", "active")
