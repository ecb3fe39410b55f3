"""Administrator duties in the admin: assigned through dengbao.services, so
level 3 refuses a second duty with a clear message."""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .models import AdminDuty

# django-otp's own device admins show another person's secret as a QR code and
# delete devices without an audit row: devices are managed on /security/otp/
# only (enrolment by their owner, reset by another administrator, audited).
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class AdminDutyForm(forms.ModelForm):
    class Meta:
        model = AdminDuty
        fields = ["user", "duty", "note"]

    def clean(self):
        cleaned = super().clean()
        user, duty = cleaned.get("user"), cleaned.get("duty")
        if user is not None and duty:
            conflict = services.duty_conflict(user=user, duty=duty)
            if conflict:
                raise ValidationError(conflict)
        return cleaned


@admin.register(AdminDuty)
class AdminDutyAdmin(admin.ModelAdmin):
    form = AdminDutyForm
    list_display = ("user", "duty", "assigned_at", "note")
    list_filter = ("duty",)
    search_fields = ("user__username", "user__last_name", "user__first_name")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return ("user", "duty", "assigned_at") if obj is not None else ("assigned_at",)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # revoking goes through the service (audited)
        return actions

    def has_add_permission(self, request):
        return services.may_manage_duties(request.user)

    def has_change_permission(self, request, obj=None):
        return services.may_manage_duties(request.user)

    def has_delete_permission(self, request, obj=None):
        return services.may_manage_duties(request.user)

    def save_model(self, request, obj, form, change):
        if change:
            obj._history_user = request.user
            obj.save(update_fields=["note"])
            return
        saved = services.assign_duty(actor=request.user, user=obj.user, duty=obj.duty, note=obj.note)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.revoke_duty(actor=request.user, row=obj)

    def delete_queryset(self, request, queryset):
        for row in queryset:
            services.revoke_duty(actor=request.user, row=row)

    @admin.action(description=_("撤销所选管理员职责"), permissions=["delete"])
    def revoke(self, request, queryset):
        for row in queryset.select_related("user"):
            services.revoke_duty(actor=request.user, row=row)
        self.message_user(request, _("已撤销所选管理员职责。"), messages.SUCCESS)
