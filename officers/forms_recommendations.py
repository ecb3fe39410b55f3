"""Forms of the appointment workflow (推荐表); the services check again."""
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infoflow.files import inspect_upload
from liaison.errors import AttachmentRejected
from liaison.pickers import PersonChoiceField

from .models import Officer


class RecommendationForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("推荐单位"), queryset=None, empty_label=None)
    candidate = PersonChoiceField(label=_("被推荐人"))
    replaces = forms.ModelChoiceField(
        label=_("接替的联络员"), required=False, queryset=None,
        help_text=_("更换联络员时选择被接替的现任联络员；新任则留空"))
    is_primary = forms.BooleanField(label=_("主联络员"), required=False, initial=True)
    phone = forms.CharField(label=_("电话"), max_length=30)
    email = forms.EmailField(label=_("邮箱"), required=False)
    reasons = forms.CharField(label=_("推荐理由"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    qualifications = forms.CharField(
        label=_("任职条件"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
        help_text=_("政治素质、沟通协调能力、熟悉本单位工作情况、文字表达能力等"))
    form_file = forms.FileField(label=_("推荐表（签字盖章）"), help_text=_("扫描件 PDF 或图片"))

    def __init__(self, *args, units, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["candidate"] = PersonChoiceField(label=_("被推荐人"), actor=actor)
        self.fields["replaces"].queryset = (Officer.objects.filter(status=Officer.Status.ACTIVE, unit__in=units)
                                            .select_related("user", "unit").order_by("unit__sort_order", "pk"))
        self.order_fields(["unit", "candidate", "replaces", "is_primary", "phone", "email", "reasons",
                           "qualifications", "form_file"])

    def clean_form_file(self):
        upload = self.cleaned_data["form_file"]
        try:
            inspect_upload(upload)
        except AttachmentRejected as exc:
            raise forms.ValidationError(str(exc)) from exc
        upload.seek(0)
        return upload


class InterviewForm(forms.Form):
    at = forms.DateTimeField(label=_("面谈时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                             input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    place = forms.CharField(label=_("面谈地点"), max_length=200, help_text=_("会议室或线上会议链接"))
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ConfirmForm(forms.Form):
    effective_on = forms.DateField(label=_("任命生效日期"), widget=forms.DateInput(attrs={"type": "date"}),
                                   initial=timezone.localdate)
    note = forms.CharField(label=_("处理意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=2000)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("未通过的理由"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
