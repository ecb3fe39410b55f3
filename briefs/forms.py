"""Input of the bulletin pages (validation of form shape only; the services
check the rules)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AdoptionLevel, BulletinEntry, BulletinIssue


class IssueForm(forms.ModelForm):
    class Meta:
        model = BulletinIssue
        fields = ["title", "period", "foreword"]
        widgets = {"period": forms.TextInput(attrs={"placeholder": "2026-03", "inputmode": "numeric"}),
                   "foreword": forms.Textarea(attrs={"rows": 3})}


class EntryForm(forms.ModelForm):
    class Meta:
        model = BulletinEntry
        fields = ["title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 12})}


class AdoptionForm(forms.Form):
    number = forms.CharField(label=_("信息编号"), max_length=30)
    level = forms.ChoiceField(label=_("采用级别"), choices=AdoptionLevel.choices)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
