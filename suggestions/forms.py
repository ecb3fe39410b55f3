"""Forms of the suggestion box: what the employee writes, the receipt
code, and the handlers' actions. Photos go through the items' upload
field (infoflow.forms.MultipleFileField: checked by content, kept across a
form that comes back with an error, liaison.uploads)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from infoflow.forms import MultipleFileField
from liaison.pickers import UnitChoiceField
from liaison.uploads import PendingFilesMixin
from liaison.widget_html import PYTHON_WIDGETS, ListedModelChoiceField

from . import services
from .models import Box, Case, Category, Note

SIGNED_CHOICES = [("0", _("匿名（不留姓名，任何人都无法知道是谁提交的）")),
                  ("1", _("署名（只有本信箱的办理人能看到姓名）"))]


class CaseForm(PendingFilesMixin, forms.Form):
    pending_file_fields = ("photos",)
    default_renderer = PYTHON_WIDGETS  # the widgets' HTML without their templates (issue 12)

    box = forms.ChoiceField(label=_("投递到"), choices=Box.choices, initial=Box.SUGGESTION, widget=forms.RadioSelect)
    kind = forms.ChoiceField(label=_("类型"), choices=Case.Kind.choices, initial=Case.Kind.SUGGESTION,
                             widget=forms.RadioSelect)
    category = ListedModelChoiceField(label=_("类别"), queryset=Category.objects.filter(active=True),
                                     empty_label=_("请选择"))
    text = forms.CharField(label=_("内容"), max_length=services.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("请写清事实、时间、地点和您的建议；投诉和举报请详实、可靠、中肯。"))
    photos = MultipleFileField(label=_("照片"), help_text=_("可选，最多 5 张；照片不小于 800×600 像素。"))
    signed = forms.TypedChoiceField(label=_("是否署名"), choices=SIGNED_CHOICES, coerce=lambda v: v == "1",
                                    initial="0", widget=forms.RadioSelect)
    contact_allowed = forms.BooleanField(label=_("同意办理人与我联系"), required=False)
    contact = forms.CharField(label=_("联系方式"), max_length=100, required=False,
                              help_text=_("仅署名时填写，如电话或邮箱。"))

    def clean(self):
        data = super().clean()
        if not data.get("signed") and (data.get("contact") or "").strip():
            self.add_error("contact", _("匿名提交不能留联系方式；如希望被联系，请选择署名。"))
        return data


class TrackForm(forms.Form):
    code = forms.CharField(label=_("回执码"), max_length=40,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "spellcheck": "false", "placeholder": "XXXX-XXXX-XXXX-XXXX"}))


class AssignForm(forms.Form):
    unit = UnitChoiceField(label=_("承办单位"), empty_label=_("请选择"))  # searchable (liaison.pickers)
    days = forms.IntegerField(label=_("办理期限（工作日）"), min_value=1, max_value=services.MAX_DAYS, initial=5)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Note.Kind.choices)
    text = forms.CharField(label=_("内容"), max_length=services.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}))


class FindingForm(forms.Form):
    finding = forms.ChoiceField(label=_("处理结论"), choices=Case.Finding.choices)
    answer = forms.CharField(label=_("给提交人的答复"), max_length=services.MAX_TEXT,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("提交人凭回执码可以看到；署名的也在其“我的意见”中看到。"))


class RewardForm(forms.Form):
    amount = forms.DecimalField(label=_("奖励金额（元）"), min_value=0.01, max_digits=9, decimal_places=2)
    reason = forms.CharField(label=_("理由"), max_length=services.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2}))


class DecideRewardForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("批准")), ("refuse", _("不批准"))])
    note = forms.CharField(label=_("审批意见"), required=False, max_length=services.MAX_TEXT,
                           widget=forms.Textarea(attrs={"rows": 2}))
