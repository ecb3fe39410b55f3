"""Forms of the incident register; the services check the rules again."""
from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from infoflow.forms import datetime_field
from liaison.pickers import PersonChoiceField

from .models import Entry, Severity

REF_SPLIT = re.compile(r"[\s,，;；、]+")


def split_refs(value: str) -> list[str]:
    return [part for part in REF_SPLIT.split(value or "") if part]


class SeverityField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(queryset=Severity.objects.filter(active=True), empty_label=_("请选择"), **kwargs)


class IncidentForm(forms.Form):
    title = forms.CharField(label=_("事件概要"), max_length=200)
    description = forms.CharField(label=_("经过"), widget=forms.Textarea(attrs={"rows": 6}),
                                  help_text=_("发生了什么、影响范围、目前状况。"))
    found_at = datetime_field(_("发现时间"), required=True)
    found_by = forms.CharField(label=_("发现人"), max_length=100)
    system = forms.CharField(label=_("涉及系统"), max_length=200, required=False,
                             help_text=_("如门户网站、邮件系统、共享盘；不涉及系统可不填。"))
    severity = SeverityField(label=_("等级"))
    items = forms.CharField(label=_("涉及的信息"), max_length=500, required=False,
                            help_text=_("可选：填写信息编号（如 NX-2026-001），多个用逗号分隔；只能关联您有权查看的信息。"))


class AssignForm(forms.Form):
    handler = PersonChoiceField(label=_("处置人"))


class SeverityForm(forms.Form):
    severity = SeverityField(label=_("等级"))


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("记录类型"), choices=[(Entry.Kind.MEASURE, _("处置措施")),
                                                         (Entry.Kind.REPORT, _("上报"))])
    at = datetime_field(_("时间"), required=True)
    reported_to = forms.CharField(label=_("上报对象"), max_length=200, required=False,
                                  help_text=_("上报时填写，如：公安机关网安部门、分管领导。"))
    text = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 3}))


class LinkForm(forms.Form):
    items = forms.CharField(label=_("信息编号"), max_length=500)


class CloseForm(forms.Form):
    conclusion = forms.CharField(label=_("结案结论"), widget=forms.Textarea(attrs={"rows": 4}),
                                 help_text=_("原因、影响、已采取的措施和防范改进。"))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("重新打开的理由"), widget=forms.Textarea(attrs={"rows": 3}))
