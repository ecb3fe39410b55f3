from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Kind


class GenerateForm(forms.Form):
    kind = forms.ChoiceField(label=_("报告类型"), choices=Kind.choices, initial=Kind.MONTHLY)
    period = forms.CharField(label=_("期间"), max_length=7,
                             help_text=_("月度报告填月份，如 2026-10；年度总结填年份，如 2026。"))
