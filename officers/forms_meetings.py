"""Forms of the meeting and training pages (validation of shapes only; the
rules live in officers.meetings and officers.trainings)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.pickers import PersonChoiceField, PersonMultipleChoiceField

from .meeting_models import Invitation, Meeting
from .meetings import INVITE_HEADS, INVITE_OFFICERS
from .models import OrgUnit, RoleAssignment

ROLE_CHOICES = [(INVITE_OFFICERS, _("全体联络员")), (INVITE_HEADS, _("全体部门负责人")),
                *RoleAssignment.Role.choices]


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("会议名称"), max_length=200)
    kind = forms.ChoiceField(label=_("会议类型"), choices=Meeting.Kind.choices)
    item_number = forms.CharField(label=_("关联信息编号"), max_length=40, required=False,
                                  help_text=_("协调会必填，例如 NX-2026-001"))
    first_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("开始时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(label=_("时长（分钟）"), initial=60, min_value=15, max_value=1440)
    recurrence = forms.ChoiceField(label=_("重复"), choices=Meeting.Recurrence.choices)
    count = forms.IntegerField(label=_("次数"), initial=1, min_value=1, max_value=60,
                               help_text=_("按工作日历排期，遇节假日顺延至下一个工作日"))
    mode = forms.ChoiceField(label=_("形式"), choices=Meeting.Mode.choices)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    link = forms.URLField(label=_("会议链接"), required=False, assume_scheme="https")
    agenda = forms.CharField(label=_("议程"), widget=forms.Textarea(attrs={"rows": 4}))
    roles = forms.MultipleChoiceField(label=_("按角色邀请"), choices=ROLE_CHOICES, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    units = forms.ModelMultipleChoiceField(label=_("按单位邀请（该单位联络员）"), required=False,
                                           queryset=OrgUnit.objects.filter(is_active=True),
                                           widget=forms.CheckboxSelectMultiple)
    users = PersonMultipleChoiceField(label=_("指定人员"), required=False)


class ResponseForm(forms.Form):
    response = forms.ChoiceField(label=_("答复"), choices=[c for c in Invitation.Response.choices if c[0] != "pending"],
                                 widget=forms.RadioSelect)
    leave_reason = forms.CharField(label=_("请假事由"), max_length=200, required=False)
    delegate = PersonChoiceField(label=_("委派代表"), required=False)


class MinutesForm(forms.Form):
    text = forms.CharField(label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    file = forms.FileField(label=_("纪要文件"), required=False)


class ActionItemForm(forms.Form):
    text = forms.CharField(label=_("事项"), max_length=300)
    owner = PersonChoiceField(label=_("责任人"))
    due_on = forms.DateField(label=_("完成期限"), widget=forms.DateInput(attrs={"type": "date"}))


class DoneForm(forms.Form):
    note = forms.CharField(label=_("完成情况"), max_length=300, required=False)


class TrainingForm(forms.Form):
    title = forms.CharField(label=_("培训名称"), max_length=200)
    content = forms.CharField(label=_("培训内容"), widget=forms.Textarea(attrs={"rows": 4}))
    trainer = forms.CharField(label=_("培训讲师"), max_length=100)
    starts_at = forms.DateTimeField(label=_("培训时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    hours = forms.DecimalField(label=_("学时"), max_digits=4, decimal_places=1)
    place = forms.CharField(label=_("地点/链接"), max_length=200, required=False)
    is_induction = forms.BooleanField(label=_("岗前培训"), required=False)
    materials = forms.FileField(label=_("培训材料"), required=False)
