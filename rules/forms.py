"""Forms of the rules pages: they validate the input; the services decide."""
from django import forms
from django.utils.translation import gettext_lazy as _

from infoflow.files import inspect_upload
from liaison.errors import AttachmentRejected
from officers.models import OrgUnit


class _FileChecked(forms.Form):
    upload = forms.FileField(label=_("制度文件"), required=False, help_text=_("PDF、Word 等；与正文至少填写一项"))

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            try:
                inspect_upload(upload)
            except AttachmentRejected as exc:
                raise forms.ValidationError(str(exc)) from exc
            upload.seek(0)
        return upload


class VersionForm(_FileChecked):
    number = forms.CharField(label=_("版本号"), max_length=30, help_text=_("例如 2026 版、V2"))
    effective_on = forms.DateField(label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_("正文"), required=False, widget=forms.Textarea(attrs={"rows": 14}))
    changes = forms.CharField(label=_("修订说明"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("本版本与上一版本相比修改了什么"))

    field_order = ["number", "effective_on", "text", "upload", "changes"]


class DocumentForm(VersionForm):
    code = forms.CharField(label=_("制度编号"), max_length=30)
    title = forms.CharField(label=_("制度名称"), max_length=200)
    owner_unit = forms.ModelChoiceField(label=_("负责解释和修订的部门"), required=False,
                                        queryset=OrgUnit.objects.filter(is_active=True).order_by("sort_order", "code"))
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    revise_every_months = forms.IntegerField(label=_("修订周期（月）"), min_value=1, max_value=60, initial=12)
    confirm_within_days = forms.IntegerField(label=_("阅读确认期限（工作日）"), min_value=1, max_value=60, initial=5)

    field_order = ["code", "title", "owner_unit", "description", "revise_every_months", "confirm_within_days",
                   "number", "effective_on", "text", "upload", "changes"]


class KeepForm(forms.Form):
    note = forms.CharField(label=_("无需修订的理由"), max_length=90, widget=forms.Textarea(attrs={"rows": 3}))
