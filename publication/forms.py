"""Forms of the publication pages (input only; the rules are in services)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.pickers import PersonChoiceField, set_queryset

from .models import BulletinCategory, Channel, Correction, Feedback


class ReleaseForm(forms.Form):
    channel = forms.ModelChoiceField(label=_("发布渠道"), queryset=Channel.objects.none())
    category = forms.ModelChoiceField(label=_("公告栏目"), queryset=BulletinCategory.objects.filter(is_active=True),
                                      required=False, help_text=_("发布到门户公告栏时必选"))
    released_at = forms.DateTimeField(label=_("发布时间"), required=False, help_text=_("留空为现在"),
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    link = forms.URLField(label=_("链接"), required=False, max_length=500, assume_scheme="https")
    evidence = forms.FileField(label=_("发布凭证"), required=False, help_text=_("截图或照片，如宣传栏张贴照片"))
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.filter(pk__in=[c.pk for c in channels])


class PlanForm(forms.Form):
    planned_on = forms.DateField(label=_("计划发布日期"), widget=forms.DateInput(attrs={"type": "date"}))
    channels = forms.ModelMultipleChoiceField(label=_("发布渠道"), queryset=Channel.objects.filter(is_active=True),
                                              widget=forms.CheckboxSelectMultiple)
    category = forms.ModelChoiceField(label=_("公告栏目"), queryset=BulletinCategory.objects.filter(is_active=True),
                                      required=False)
    person_in_charge = PersonChoiceField(label=_("负责人"))  # searchable, grouped by unit (liaison.pickers)
    preparation = forms.CharField(label=_("发布前准备"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("预热宣传、物料、审核安排等"))

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        set_queryset(self.fields["person_in_charge"], people)


class CorrectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Correction.Kind.choices, widget=forms.RadioSelect)
    subject = forms.CharField(label=_("信息主题"), max_length=200)
    summary = forms.CharField(label=_("内容摘要"), widget=forms.Textarea(attrs={"rows": 6}))


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "maxlength": 2000})}
