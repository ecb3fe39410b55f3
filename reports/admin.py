"""Admin of the reports to leaders: the leaders the secretariat names as
recipients (data). Reports themselves are read in the portal
(reports.selectors decides who sees them)."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Recipient


@admin.register(Recipient)
class RecipientAdmin(SimpleHistoryAdmin):
    list_display = ("user", "monthly", "yearly", "active", "note")
    list_filter = ("monthly", "yearly", "active")
