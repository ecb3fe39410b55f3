"""The admin console HR and the secretariat keep the organisation in.

Who sees and changes what comes from their roles (officers.backends). Every
model shows its history (who, when) through SimpleHistoryAdmin; reverting
from history is off because it would bypass the services below (filings,
staff status). Writes with side effects go through officers.services.
"""
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from dengbao.privacy import MaskedContactsAdminMixin, MaskedDetailAdminMixin
from liaison.errors import LiaisonError
from liaison.normalize import NormalizedInputAdmin
from liaison.uploads import KeptFilesField, PendingFilesMixin

from . import services
from .admin_import import RosterImportMixin
from .models import (
    ChangeFiling,
    Duty,
    ExternalContact,
    ExternalUnit,
    Officer,
    OfficerDuty,
    OrgUnit,
    Registration,
    RoleAssignment,
    StaffProfile,
)

User = get_user_model()


class HistoryAdmin(NormalizedInputAdmin, SimpleHistoryAdmin):
    def revert_disabled(self, request, obj=None):
        # Reverting writes old field values straight back, skipping the
        # services (filings, staff status): history is for reading only.
        return True


def _person(user):
    if user is None:
        return "—"
    return user.get_full_name() or user.username


# --- users ----------------------------------------------------------------------


class StaffProfileInline(MaskedContactsAdminMixin, NormalizedInputAdmin, admin.StackedInline):
    model = StaffProfile
    can_delete = False
    max_num = 1
    autocomplete_fields = ["unit"]


class RoleAssignmentReadonlyInline(admin.TabularInline):
    """A user's roles, for reading: roles change on the role page, through the service."""

    model = RoleAssignment
    fields = ["role", "note"]
    readonly_fields = ["role", "note"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Extend whatever User admin is registered (liaison adds the unlock action).
_BaseUserAdmin = type(admin.site._registry[User]) if admin.site.is_registered(User) else DjangoUserAdmin
if admin.site.is_registered(User):
    admin.site.unregister(User)

# Only a superuser grants these: roles give staff status (services.assign_role).
PRIVILEGED_USER_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions", "last_login", "date_joined")


@admin.register(User)
class LiaisonUserAdmin(MaskedContactsAdminMixin, _BaseUserAdmin):
    inlines = [*getattr(_BaseUserAdmin, "inlines", ()), StaffProfileInline, RoleAssignmentReadonlyInline]
    list_display = ["username", "first_name", "email", "unit_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "roles__role", "profile__unit"]
    search_fields = ["username", "first_name", "last_name", "email"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("profile__unit")

    @admin.display(description=_("所属单位"), ordering="profile__unit__name")
    def unit_name(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.unit.name if profile is not None and profile.unit is not None else "—"

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in PRIVILEGED_USER_FIELDS if f not in fields]
        return fields

    def has_change_permission(self, request, obj=None):
        # HR must not take over a superuser's account (password, name, e-mail).
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)


# --- organisation -----------------------------------------------------------------


class ActiveOfficerFilter(admin.SimpleListFilter):
    title = _("在岗联络员")
    parameter_name = "officer"

    def lookups(self, request, model_admin):
        return [("yes", _("有")), ("no", _("无（需配备）"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(has_active_officer=True)
        if self.value() == "no":
            return queryset.filter(has_active_officer=False)
        return queryset


@admin.register(OrgUnit)
class OrgUnitAdmin(HistoryAdmin):
    list_display = [
        "code",
        "name",
        "kind",
        "parent",
        "number_prefix",
        "head_name",
        "leader_name",
        "active_officer_flag",
        "is_active",
        "sort_order",
    ]
    list_display_links = ["code", "name"]
    list_filter = ["kind", "is_active", ActiveOfficerFilter, "supervising_leader"]
    search_fields = ["code", "name", "number_prefix", "head__first_name", "supervising_leader__first_name"]
    autocomplete_fields = ["parent", "head", "supervising_leader"]
    list_select_related = ["parent", "head", "supervising_leader"]

    def get_queryset(self, request):
        active = Officer.objects.filter(unit=OuterRef("pk"), status=Officer.Status.ACTIVE)
        return super().get_queryset(request).annotate(has_active_officer=Exists(active))

    @admin.display(description=_("部门负责人"), ordering="head__first_name")
    def head_name(self, obj):
        return _person(obj.head)

    @admin.display(description=_("分管领导"), ordering="supervising_leader__first_name")
    def leader_name(self, obj):
        return _person(obj.supervising_leader)

    @admin.display(description=_("有在岗联络员"), boolean=True, ordering="has_active_officer")
    def active_officer_flag(self, obj):
        return obj.has_active_officer


@admin.register(StaffProfile)
class StaffProfileAdmin(MaskedContactsAdminMixin, HistoryAdmin):
    list_display = ["user", "full_name", "unit", "title", "phone"]
    list_filter = ["unit"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "phone", "unit__name"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]

    @admin.display(description=_("姓名"), ordering="user__first_name")
    def full_name(self, obj):
        return _person(obj.user)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(HistoryAdmin):
    """Granting and taking roles goes through the services, which keep the
    user's staff status (admin access) in step with their roles."""

    list_display = ["user", "full_name", "role", "note"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "note"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]

    @admin.display(description=_("姓名"), ordering="user__first_name")
    def full_name(self, obj):
        return _person(obj.user)

    def get_readonly_fields(self, request, obj=None):
        # A different user or role is a different grant: delete and add.
        return ["user", "role"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        assignment = services.assign_role(user=obj.user, role=obj.role, actor=request.user, note=obj.note)
        # The admin goes on with its own instance (message, log, redirect).
        obj.pk = assignment.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.remove_role(user=obj.user, role=obj.role, actor=request.user)

    def delete_queryset(self, request, queryset):
        for assignment in queryset.select_related("user").order_by("pk"):
            services.remove_role(user=assignment.user, role=assignment.role, actor=request.user)


# --- external units -----------------------------------------------------------------


class ExternalContactInline(MaskedContactsAdminMixin, admin.TabularInline):
    model = ExternalContact
    extra = 1
    fields = ["name", "title", "phone", "email"]


@admin.register(ExternalUnit)
class ExternalUnitAdmin(HistoryAdmin):
    list_display = ["name", "kind", "responsible_unit", "responsible_name", "contact_count", "is_active"]
    list_filter = ["kind", "is_active", "responsible_unit"]
    search_fields = ["name", "address", "contacts__name", "contacts__phone"]
    autocomplete_fields = ["responsible_unit", "responsible_user"]
    list_select_related = ["responsible_unit", "responsible_user"]
    inlines = [ExternalContactInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(contact_total=Count("contacts"))

    @admin.display(description=_("对接人"))
    def responsible_name(self, obj):
        return _person(obj.responsible_user)

    @admin.display(description=_("联系人数"), ordering="contact_total")
    def contact_count(self, obj):
        return obj.contact_total


@admin.register(ExternalContact)
class ExternalContactAdmin(MaskedContactsAdminMixin, HistoryAdmin):
    list_display = ["name", "external_unit", "title", "phone", "email"]
    list_filter = ["external_unit__kind"]
    search_fields = ["name", "phone", "email", "external_unit__name"]
    autocomplete_fields = ["external_unit"]
    list_select_related = ["external_unit"]


# --- duties and officers ------------------------------------------------------------


@admin.register(Duty)
class DutyAdmin(HistoryAdmin):
    list_display = ["code", "name", "officer_count"]
    search_fields = ["code", "name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            officer_total=Count("officerduty", filter=Q(officerduty__officer__status=Officer.Status.ACTIVE))
        )

    @admin.display(description=_("在岗联络员数"), ordering="officer_total")
    def officer_count(self, obj):
        return obj.officer_total


class OfficerDutyInline(admin.TabularInline):
    model = OfficerDuty
    extra = 1
    autocomplete_fields = ["duty"]


class OfficerAddForm(forms.ModelForm):
    replace = forms.BooleanField(
        label=_("替换现任主联络员"),
        required=False,
        help_text=_("勾选后，本单位现任主联络员将标记为“已更换”，离任日期为本次任命日期。"),
    )

    class Meta:
        model = Officer
        exclude = ["status", "ended_on"]

    def clean(self):
        cleaned = super().clean()
        unit, user = cleaned.get("unit"), cleaned.get("user")
        if unit is None or user is None:
            return cleaned
        active = Officer.objects.filter(unit=unit, status=Officer.Status.ACTIVE).select_related("user")
        if active.filter(user=user).exists():
            raise forms.ValidationError(
                gettext("%(name)s 已是%(unit)s的在岗联络员。") % {"name": _person(user), "unit": unit.name}
            )
        current = active.filter(is_primary=True).first()
        if cleaned.get("is_primary") and current is not None and not cleaned.get("replace"):
            self.add_error(
                "replace",
                gettext("%(unit)s 已有在岗主联络员 %(name)s。请先结束其任命，或选择替换现任主联络员。")
                % {"unit": unit.name, "name": _person(current.user)},
            )
        return cleaned

    def _get_validation_exclusions(self):
        # The unit's constraints (one active primary, one post per user) are
        # checked in clean() with clearer messages, and replacing is legal
        # although the current primary is still active when the form is checked.
        exclusions = super()._get_validation_exclusions()
        exclusions.add("unit")
        return exclusions


@admin.register(Officer)
class OfficerAdmin(MaskedContactsAdminMixin, RosterImportMixin, HistoryAdmin):
    list_display = [
        "unit",
        "officer_name",
        "is_primary",
        "phone",
        "email",
        "status",
        "appointed_on",
        "ended_on",
        "induction_done",
        "confidentiality_signed",
    ]
    list_filter = ["status", "is_primary", "unit", "appointed_on"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "phone", "email", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]
    date_hierarchy = "appointed_on"
    inlines = [OfficerDutyInline]
    actions = ["end_appointments", "mark_replaced"]

    @admin.display(description=_("联络员"), ordering="user__first_name")
    def officer_name(self, obj):
        return _person(obj.user)

    @admin.display(description=_("岗前培训"), boolean=True)
    def induction_done(self, obj):
        return obj.induction_done_on is not None

    @admin.display(description=_("保密协议"), boolean=True)
    def confidentiality_signed(self, obj):
        return obj.confidentiality_signed_on is not None

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = OfficerAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # Appointment facts change through the actions (end, replace) or a new appointment.
        fields = ["user", "unit", "is_primary", "status", "ended_on"]
        if not obj.is_active:
            fields += ["phone", "email"]
        return fields

    def save_model(self, request, obj, form, change):
        if not change:
            services.save_new_officer(officer=obj, actor=request.user, replace=form.cleaned_data.get("replace", False))
            return
        old = Officer.objects.get(pk=obj.pk)
        phone, email = obj.phone, obj.email
        # Contact details go through the service, which opens the filings.
        obj.phone, obj.email = old.phone, old.email
        super().save_model(request, obj, form, change)
        if obj.is_active and (phone, email) != (old.phone, old.email):
            services.update_officer_contact(officer=obj, actor=request.user, phone=phone, email=email)
            obj.refresh_from_db()
            filings = ChangeFiling.objects.filter(
                registration__officer=obj, reason=ChangeFiling.Reason.CONTACT_CHANGED, filed_at__isnull=True
            ).count()
            if filings:
                self.message_user(
                    request,
                    gettext("联系方式已变更，需向备案机关报备 %(count)s 项，请在期限内完成。") % {"count": filings},
                    messages.WARNING,
                )

    def _end_selected(self, request, queryset, status):
        done, failed = [], []
        for officer in queryset.select_related("user", "unit").order_by("pk"):
            try:
                services.end_appointment(officer=officer, actor=request.user, status=status)
                done.append(str(officer))
            except LiaisonError as error:
                failed.append(error.message)
        if done:
            self.message_user(
                request,
                gettext("已处理 %(count)s 名联络员：%(names)s。") % {"count": len(done), "names": "、".join(done)},
                messages.SUCCESS,
            )
        for message in failed:
            self.message_user(request, message, messages.ERROR)

    @admin.action(description=_("结束任命"), permissions=["change"])
    def end_appointments(self, request, queryset):
        self._end_selected(request, queryset, Officer.Status.LEFT)

    @admin.action(description=_("标记为已更换"), permissions=["change"])
    def mark_replaced(self, request, queryset):
        self._end_selected(request, queryset, Officer.Status.REPLACED)


@admin.register(OfficerDuty)
class OfficerDutyAdmin(HistoryAdmin):
    list_display = ["officer", "duty", "assigned_on"]
    list_filter = ["duty"]
    search_fields = ["officer__user__first_name", "officer__user__username", "duty__name"]
    autocomplete_fields = ["officer", "duty"]
    list_select_related = ["officer__user", "officer__unit", "duty"]


# --- registrations and filings ------------------------------------------------------------


class LateFilter(admin.SimpleListFilter):
    title = _("报备情况")
    parameter_name = "late"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("逾期未报")),
            ("late", _("逾期报备")),
            ("pending", _("待报备（未逾期）")),
            ("on_time", _("按时报备")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == "overdue":
            return queryset.filter(filed_at__isnull=True, due_at__lt=now)
        if value == "late":
            return queryset.filter(filed_at__gt=F("due_at"))
        if value == "pending":
            return queryset.filter(filed_at__isnull=True, due_at__gte=now)
        if value == "on_time":
            return queryset.filter(filed_at__lte=F("due_at"))
        return queryset


def _late_column(obj):
    return obj.is_late()


class ChangeFilingInline(MaskedDetailAdminMixin, admin.TabularInline):
    model = ChangeFiling
    fields = ["reason", "detail", "changed_at", "due_at", "filed_at", "filed_by", "late"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("逾期"), boolean=True)
    def late(self, obj):
        return _late_column(obj)


@admin.register(Registration)
class RegistrationAdmin(MaskedContactsAdminMixin, HistoryAdmin):
    contact_fields = {"registered_phone": "phone", "registered_email": "email"}  # dengbao.privacy
    list_display = [
        "unit",
        "body",
        "officer",
        "registered_name",
        "registered_phone",
        "registered_on",
        "reference",
        "open_filings",
        "is_active",
    ]
    list_filter = ["is_active", "body", "unit"]
    search_fields = ["unit__name", "body__name", "registered_name", "registered_phone", "reference"]
    autocomplete_fields = ["unit", "body", "officer"]
    list_select_related = ["unit", "body", "officer__user", "officer__unit"]
    inlines = [ChangeFilingInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            open_total=Count("filings", filter=Q(filings__filed_at__isnull=True))
        )

    @admin.display(description=_("待报备"), ordering="open_total")
    def open_filings(self, obj):
        return obj.open_total


class ChangeFilingForm(PendingFilesMixin, forms.ModelForm):
    """The filing record; a proof uploaded with a form that comes back with
    an error (a filing time in the future) is kept for the corrected one
    (liaison.uploads, issue 10 §6.1)."""

    pending_file_fields = ("proof",)
    pending_proof = KeptFilesField()  # declared so the admin's fieldset shows it; filled per request

    class Meta:
        model = ChangeFiling
        fields = ["filed_at", "proof", "note"]

    def proof_upload(self):
        """The proof to store: a new upload, else the kept one, else None."""
        files = self.uploads("proof")
        return files[-1] if files else None

    def clean_filed_at(self):
        filed_at = self.cleaned_data.get("filed_at")
        if filed_at is None:
            return filed_at
        if filed_at > timezone.now():
            raise forms.ValidationError(gettext("报备时间不能晚于当前时间。"))
        if filed_at < self.instance.changed_at:
            raise forms.ValidationError(gettext("报备时间不能早于变更时间。"))
        return filed_at


@admin.register(ChangeFiling)
class ChangeFilingAdmin(MaskedDetailAdminMixin, HistoryAdmin):
    """Filings are opened by the services; HR records here when and with what
    proof each was filed."""

    form = ChangeFilingForm
    list_display = ["registration", "reason", "detail", "changed_at", "due_at", "filed_at", "filed_by", "late"]
    list_filter = [LateFilter, "reason", "registration__body"]
    search_fields = ["registration__unit__name", "registration__body__name", "detail"]
    list_select_related = ["registration__unit", "registration__body", "filed_by"]
    date_hierarchy = "due_at"

    @admin.display(description=_("逾期"), boolean=True)
    def late(self, obj):
        return _late_column(obj)

    def has_add_permission(self, request):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # The form keeps uploads in the session of this request.
        return type(form.__name__, (form,), {"pending_request": request})

    def get_readonly_fields(self, request, obj=None):
        fields = ["registration", "reason", "detail", "changed_at", "due_at", "filed_by", "late"]
        if obj is not None and obj.filed_at is not None:
            fields.append("filed_at")
        # The masked 变更内容 replaces the raw one for viewers without the contact lists
        # (dengbao.privacy); the form must leave it out or the history page fails.
        return self._swap_detail(fields, request)

    def save_model(self, request, obj, form, change):
        first_record = "filed_at" in form.changed_data and obj.filed_at is not None
        proof = form.proof_upload()
        if not first_record:
            if proof is not None:
                obj.proof = proof
            super().save_model(request, obj, form, change)
            form.discard_pending()
            return
        services.record_filing(
            filing=obj,
            actor=request.user,
            filed_at=obj.filed_at,
            proof=proof,
            note=obj.note,
        )
        form.discard_pending()
        obj.refresh_from_db()
from . import admin_meetings  # noqa: E402,F401  meetings, action items, trainings, inductions
from . import admin_work  # noqa: E402,F401  work reports, replacement flags, accountability (read-only)
from . import admin_assessment  # noqa: E402,F401  the yearly assessment (periods, criteria; results read-only)
from . import admin_recommendations  # noqa: E402,F401  recommendations (推荐表, read-only)
