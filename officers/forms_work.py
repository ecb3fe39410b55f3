"""Forms of work reports, replacement flags and accountability cases; the
services check again (they are the rules)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AccountabilityCase, Officer

Case = AccountabilityCase


class ReportForm(forms.Form):
    work_done = forms.CharField(label=_("本期工作"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)
    next_plan = forms.CharField(label=_("下期计划"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("批阅意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(label=_("处理"), choices=[("keep", _("保留该联络员")), ("replace", _("更换联络员"))],
                                 widget=forms.RadioSelect)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class CaseForm(forms.Form):
    officer = forms.ModelChoiceField(
        label=_("联络员"),
        queryset=Officer.objects.filter(status=Officer.Status.ACTIVE).select_related("user", "unit"))
    kind = forms.ChoiceField(label=_("问题类型"), choices=Case.Kind.choices)
    occurred_on = forms.DateField(label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"}))
    item_number = forms.CharField(label=_("涉及信息编号"), required=False, max_length=50,
                                  help_text=_("如涉及某条信息，填写其编号；也可填写报送任务或会议名称。"))
    finding = forms.CharField(label=_("调查结论"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    sanction = forms.ChoiceField(label=_("处分"), choices=Case.Sanction.choices)
    points = forms.IntegerField(label=_("扣分"), min_value=0, max_value=100, initial=0)
    rectification = forms.CharField(label=_("整改要求"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                    max_length=5000)
    rectification_due = forms.DateField(label=_("整改期限"), required=False,
                                        widget=forms.DateInput(attrs={"type": "date"}))


class RectifiedForm(forms.Form):
    done_on = forms.DateField(label=_("整改完成日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("整改情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
