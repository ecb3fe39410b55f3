"""The escalation ladder in the admin: the secretariat chooses, per kind of
review stage, who hears when it runs overdue (infoflow.ladder)."""
from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .ladder_models import EscalationRung
from .models import DeciderKind


class EscalationRungForm(forms.ModelForm):
    decider = forms.ChoiceField(label=EscalationRung._meta.get_field("decider").verbose_name,
                                choices=DeciderKind.choices)

    class Meta:
        model = EscalationRung
        fields = ["decider", "target", "role"]


@admin.register(EscalationRung)
class EscalationRungAdmin(SimpleHistoryAdmin):
    form = EscalationRungForm
    list_display = ["decider_label", "target", "role"]
    list_editable = ["target", "role"]
    list_display_links = ["decider_label"]

    @admin.display(description=EscalationRung._meta.get_field("decider").verbose_name, ordering="decider")
    def decider_label(self, rung):
        return DeciderKind(rung.decider).label if rung.decider in DeciderKind.values else rung.decider

    def has_delete_permission(self, request, obj=None):
        return False  # every kind of stage keeps a rung; choose "不再升级" instead

    def revert_disabled(self, request, obj=None):
        return False
