"""Admin of publication: channels, distribution lists and bulletin columns
are data the secretariat edits; releases and their records follow the
portal's visibility (publication.selectors)."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from liaison.admin_visibility import DeleteSummaryAdmin, VisibleOnlyAdmin

from .models import BulletinCategory, Channel, Correction, DistributionList, Feedback, Release, ReleasePlan, ReleaseRecord
from .selectors import (corrections_visible_to, is_publisher, feedback_visible_to, plans_visible_to, records_visible_to,
                        releases_visible_to)


class SecretariatEditsAdmin(DeleteSummaryAdmin, SimpleHistoryAdmin):
    """Data the secretariat (信息发布中心) keeps: its staff accounts edit it
    whatever their Django model permissions."""

    def has_module_permission(self, request):
        return is_publisher(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_publisher(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return is_publisher(request.user) or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return is_publisher(request.user) or super().has_change_permission(request, obj)


@admin.register(DistributionList)
class DistributionListAdmin(SecretariatEditsAdmin):
    list_display = ("name", "is_active")
    search_fields = ("name", "addresses")


@admin.register(Channel)
class ChannelAdmin(SecretariatEditsAdmin):
    list_display = ("name", "code", "kind", "manager", "distribution_list", "is_active", "sort_order")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")
    raw_id_fields = ("manager",)


@admin.register(BulletinCategory)
class BulletinCategoryAdmin(SecretariatEditsAdmin):
    list_display = ("name", "code", "is_active", "sort_order")


@admin.register(Release)
class ReleaseAdmin(VisibleOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("item", "category", "first_released_at")
    list_select_related = ("item", "category")
    raw_id_fields = ("item", "created_by")

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=releases_visible_to(request.user).values("pk"))


@admin.register(ReleaseRecord)
class ReleaseRecordAdmin(VisibleOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("release", "channel_name", "released_at", "released_by", "views")
    list_filter = ("channel_kind",)
    list_select_related = ("release__item", "released_by")
    raw_id_fields = ("release", "released_by")

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=records_visible_to(request.user).values("pk"))


@admin.register(ReleasePlan)
class ReleasePlanAdmin(VisibleOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("release", "planned_on", "person_in_charge", "state")
    raw_id_fields = ("release", "person_in_charge", "created_by")

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=plans_visible_to(request.user).values("pk"))


@admin.register(Feedback)
class FeedbackAdmin(VisibleOnlyAdmin, admin.ModelAdmin):
    list_display = ("release", "author", "created_at")
    raw_id_fields = ("release", "author")

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=feedback_visible_to(request.user).values("pk"))


@admin.register(Correction)
class CorrectionAdmin(VisibleOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("kind", "item", "original", "created_at")
    raw_id_fields = ("item", "original", "original_record", "created_by")

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=corrections_visible_to(request.user).values("pk"))
