"""Forms of the relations pages (shapes only; the rules live in the services)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.pickers import PersonChoiceField, PersonMultipleChoiceField, UnitChoiceField
from officers.models import ExternalContact, ExternalUnit

from .models import Visit

DATE = {"type": "date"}


class VisitForm(forms.Form):
    external_unit = forms.ModelChoiceField(label=_("外部单位"), queryset=ExternalUnit.objects.filter(is_active=True))
    contact = forms.ModelChoiceField(label=_("对方联系人"), required=False,
                                     queryset=ExternalContact.objects.select_related("external_unit"))
    unit = UnitChoiceField(label=_("走访部门"))
    visitors = PersonMultipleChoiceField(label=_("走访人员"))
    visited_on = forms.DateField(label=_("走访日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    kind = forms.ChoiceField(label=_("走访类型"), choices=Visit.Kind.choices)
    method = forms.ChoiceField(label=_("走访方式"), choices=Visit.Method.choices)
    purpose = forms.CharField(label=_("走访目的"), max_length=300)
    findings = forms.CharField(label=_("了解情况与对方意见"), required=False,
                               widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, units=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
        if editing:  # the external unit and our unit stay as recorded
            del self.fields["external_unit"]
            del self.fields["unit"]


class ActionForm(forms.Form):
    text = forms.CharField(label=_("跟进事项"), max_length=300)
    owner = PersonChoiceField(label=_("责任人"))
    due_on = forms.DateField(label=_("完成期限（工作日）"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))


class ActionDoneForm(forms.Form):
    result = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 3}))


class OccurrenceDoneForm(forms.Form):
    proof = forms.FileField(label=_("办理凭证"), help_text=_("回执、缴费票据或公示截图（PDF、图片、Office 文件或 ZIP，不超过 20 MB）"))
    note = forms.CharField(label=_("办理说明"), widget=forms.Textarea(attrs={"rows": 3}))


class MemberChangeForm(forms.Form):
    name = forms.CharField(label=_("单位名称"), max_length=100)
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=50, required=False)
    address = forms.CharField(label=_("办公地址"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    contact_email = forms.EmailField(label=_("联系邮箱"), required=False)
    explanation = forms.CharField(label=_("变更说明"), widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 3}))
