"""Admin console for information items and the routes the secretariat edits.

Items are read-mostly here: they change only through the services (the
portal), so the item page shows the record, its steps, receivers and
transmissions read-only, its history (SimpleHistoryAdmin) and guardian's
object-permission page (GuardedModelAdmin). The list, the item page and
both history views start from ``items_visible_to`` like every other list
(``liaison.admin_visibility.VisibleOnlyAdmin``), so restricted items and
other people's drafts stay with the people on their path even in the
console, for a superuser too; so do the step assignments (opinions).

Routes: a RouteRule with its ordered stages inline, and the "试算路线" page
that shows which route and stages, with names, a sample item would take.
"""
from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from liaison.admin_visibility import VisibleOnlyAdmin
from officers.models import OrgUnit

from .models import (
    Category,
    ChecklistEntry,
    Seal,
    Direction,
    Item,
    Kind,
    Receiver,
    ReleaseChannel,
    ReviewStep,
    RouteRule,
    RouteStage,
    StepAssignee,
    Transmission,
)
from .forms import release_channel_choices
from .services.routing import route_label, trial_route
from .visibility import items_visible_to


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    def revert_disabled(self, request, obj=None):
        # Reverting would write old values past the services (grants, numbers).
        return True


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReviewStepInline(ReadOnlyInline):
    model = ReviewStep
    fields = ["review_round", "stage_index", "name", "state", "deciders", "started_at", "due_at", "closed_at"]
    readonly_fields = fields

    @admin.display(description=_("审核人与意见"))
    def deciders(self, step):
        return format_html_join(
            "; ", "{} {} {}",
            ((a.user.get_full_name() or a.user.username, a.get_decision_display(), a.opinion)
             for a in step.assignees.select_related("user")),
        )


class ReceiverInline(ReadOnlyInline):
    model = Receiver
    fields = ["kind", "label", "state", "sent_at", "response_due_at", "acknowledged_at", "answer_due_at",
              "answered_at", "answer_result"]
    readonly_fields = fields


class TransmissionInline(ReadOnlyInline):
    model = Transmission
    fields = ["methods", "sent_at", "sent_by", "note", "written_record"]
    readonly_fields = fields


@admin.register(Item)
class ItemAdmin(VisibleOnlyAdmin, GuardedModelAdmin, ReadOnlyHistoryAdmin):
    list_display = ["number", "subject", "unit", "direction", "state", "urgency", "submitted_at",
                    "expected_feedback_at"]
    list_filter = ["state", "direction", "kind", "urgency", "confidentiality", "unit"]
    search_fields = ["number", "subject", "summary", "source_reference"]
    date_hierarchy = "submitted_at"
    list_select_related = ["unit"]
    inlines = [ReviewStepInline, ReceiverInline, TransmissionInline]
    # guardian's object-permission page: users only (groups are not used here).
    user_can_access_owned_objects_only = False

    def visible_queryset(self, request, queryset):
        # The selector's own queryset (not a pk__in subquery): the same plan as the portal's lists.
        return items_visible_to(request.user).select_related("unit", "initiator", "category")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Item._meta.concrete_fields]

    def has_add_permission(self, request):
        return False  # items are drafted in the portal (services check the unit)

    def has_delete_permission(self, request, obj=None):
        return False  # an item is a record; it is cancelled, never deleted


@admin.register(StepAssignee)
class StepAssigneeAdmin(VisibleOnlyAdmin, ReadOnlyHistoryAdmin):
    list_display = ["step", "user", "decision", "decided_at"]
    list_filter = ["decision"]
    search_fields = ["step__item__number", "user__username", "user__first_name"]

    def visible_queryset(self, request, queryset):
        return queryset.filter(step__item__in=items_visible_to(request.user).values("pk")).select_related(
            "step__item", "user")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in StepAssignee._meta.concrete_fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_model_perms(self, request):
        return {}  # reached from the item page only


@admin.register(ChecklistEntry)
class ChecklistEntryAdmin(ReadOnlyHistoryAdmin):
    """The review checklist per stage (准确性、完整性、合规性、必要性…; issue 19 §8): data the secretariat edits."""

    list_display = ["text", "scope", "stage_name", "required", "is_active", "sort_order"]
    list_editable = ["required", "is_active", "sort_order"]
    list_filter = ["scope", "is_active"]
    search_fields = ["text", "stage_name"]

    def has_delete_permission(self, request, obj=None):
        return False  # ticks keep their entry; deactivate instead


@admin.register(Seal)
class SealAdmin(ReadOnlyHistoryAdmin):
    """The seals an external letter may carry (用印; issue 19 §8)."""

    list_display = ["name", "keeper", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    search_fields = ["name", "keeper"]

    def has_delete_permission(self, request, obj=None):
        return False  # seal-use records keep their seal; deactivate instead


@admin.register(Category)
class CategoryAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "code", "is_emergency", "is_active", "sort_order"]
    list_editable = ["is_emergency", "is_active", "sort_order"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request, obj=None):
        return False  # items keep their category; deactivate instead


class RouteStageInline(admin.TabularInline):
    model = RouteStage
    extra = 1
    ordering = ["order"]
    fields = ["order", "name", "decider", "mode", "may_edit", "kind"]


@admin.register(RouteRule)
class RouteRuleAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "priority", "is_active", "send_first", "restart", "stage_summary"]
    list_editable = ["priority", "is_active"]
    list_filter = ["is_active", "direction", "send_first"]
    search_fields = ["name", "description"]
    filter_horizontal = ["categories", "originating_units"]
    inlines = [RouteStageInline]
    change_list_template = "admin/infoflow/routerule/change_list.html"
    fieldsets = [
        (None, {"fields": ["name", "priority", "is_active", "description"]}),
        (_("匹配条件（留空表示任意）"), {"fields": [
            "direction", "kinds", "categories", "originating_units", "originating_unit_kind", "is_major",
            "has_legal_effect", "for_publication", "needs_coordination"]}),
        (_("审核方式"), {"fields": ["send_first", "restart"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("stages")

    @admin.display(description=_("审核环节"))
    def stage_summary(self, rule):
        names = [s.name for s in sorted(rule.stages.all(), key=lambda s: s.order)]
        return " → ".join(names) or _("无需审核")

    def has_delete_permission(self, request, obj=None):
        # Items keep their frozen route, but the rule is the record of why: deactivate it.
        return request.user.is_superuser

    def get_urls(self):
        return [
            path("trial/", self.admin_site.admin_view(self.trial_view), name="infoflow_routerule_trial"),
            *super().get_urls(),
        ]

    def trial_view(self, request):
        """试算路线: which route and stages a sample item would take."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = RouteTrialForm(request.GET or None)
        result = None
        if form.is_valid():
            data = form.cleaned_data
            rule, rows = trial_route(
                direction=data["direction"], kind=data["kind"], category=data["category"], unit=data["unit"],
                is_major=data["is_major"], has_legal_effect=data["has_legal_effect"],
                needs_coordination=data["needs_coordination"], release_channels=data["release_channels"],
                receiver_unit_ids=[u.pk for u in data["receiver_units"]],
            )
            result = {
                "rule": rule,
                "rows": rows,
                "label": route_label(rows),
                "rule_url": reverse("admin:infoflow_routerule_change", args=[rule.pk]) if rule else None,
            }
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("试算路线"),
            "form": form,
            "result": result,
        }
        return TemplateResponse(request, "admin/infoflow/routerule/trial.html", context)


class RouteTrialForm(forms.Form):
    direction = forms.ChoiceField(label=_("方向"), choices=Direction.choices, initial=Direction.INTERNAL)
    kind = forms.ChoiceField(label=_("信息种类"), choices=Kind.choices, initial=Kind.ROUTINE)
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.filter(is_active=True),
                                      required=False)
    unit = forms.ModelChoiceField(label=_("发起部门"), queryset=OrgUnit.objects.filter(is_active=True))
    is_major = forms.BooleanField(label=_("重大事项"), required=False)
    has_legal_effect = forms.BooleanField(label=_("具有法律效力"), required=False)
    needs_coordination = forms.BooleanField(label=_("需跨部门协调或资源"), required=False)
    release_channels = forms.MultipleChoiceField(label=_("发布渠道"), choices=release_channel_choices,
                                                 required=False, widget=forms.CheckboxSelectMultiple)
    receiver_units = forms.ModelMultipleChoiceField(label=_("接收部门"), required=False,
                                                    queryset=OrgUnit.objects.filter(is_active=True))
from . import admin_ladder  # noqa: E402,F401  (the escalation ladder)
