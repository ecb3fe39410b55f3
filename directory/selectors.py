"""Reads of the directory app: who sees reports and imports (HR and
superusers only; everyone else gets 404 through these querysets)."""
from django.db.models import QuerySet

from .models import ContactsImport, SyncReport
from .services import may_manage


def reports_visible_to(user) -> QuerySet:
    """Sync reports ``user`` may read: all for HR, none for anyone else."""
    if not may_manage(user):
        return SyncReport.objects.none()
    return SyncReport.objects.select_related("reviewed_by").order_by("-started_at", "-id")


def report_list(user) -> QuerySet:
    """``reports_visible_to`` with the list page's columns only (not the
    rows' details, which can run to thousands of people)."""
    return reports_visible_to(user).only(
        "id", "started_at", "new_count", "changed_count", "missing_count", "disabled_count", "error", "reviewed_at",
        "reviewed_by__first_name", "reviewed_by__last_name", "reviewed_by__username")


def imports_visible_to(user) -> QuerySet:
    """Contacts imports ``user`` may read: all for HR, none for anyone else."""
    if not may_manage(user):
        return ContactsImport.objects.none()
    return ContactsImport.objects.select_related("created_by", "applied_by").defer("data").order_by("-created_at", "-id")
