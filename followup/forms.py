"""Input of circulation, 拟办, instructions and tasks. People and units are
picked with the searchable pickers grouped by unit (liaison.pickers)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.pickers import PersonChoiceField, PersonMultipleChoiceField, UnitMultipleChoiceField

from .services.circulation import MAX_REMIND_DAYS

TASK_ROWS = 3  # blank task rows on the instruction form


class CirculateForm(forms.Form):
    users = PersonMultipleChoiceField(label=_("传阅人员"), required=False)
    units = UnitMultipleChoiceField(label=_("传阅部门"), required=False,
                                    help_text=_("所选部门的负责人和全体员工都会收到待阅"))
    note = forms.CharField(label=_("传阅说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=1000)
    remind_after_days = forms.IntegerField(label=_("未阅提醒（工作日后）"), min_value=1, max_value=MAX_REMIND_DAYS,
                                           initial=1)

    def clean(self):
        data = super().clean()
        if not data.get("users") and not data.get("units"):
            raise forms.ValidationError(_("请选择传阅人员或传阅部门。"))
        return data


class ProposalForm(forms.Form):
    text = forms.CharField(label=_("拟办意见"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)


class InstructionForm(forms.Form):
    text = forms.CharField(label=_("批示内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)


class TaskForm(forms.Form):
    owner = PersonChoiceField(label=_("责任人"), required=False)
    what = forms.CharField(label=_("任务内容"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    due_at = forms.DateTimeField(label=_("完成期限"), required=False,
                                 widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                            format="%Y-%m-%dT%H:%M"),
                                 input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("owner") or (data.get("what") or "").strip() or data.get("due_at"))


def task_forms(data=None) -> list[TaskForm]:
    return [TaskForm(data, prefix="task%d" % n) for n in range(TASK_ROWS)]


class ResultForm(forms.Form):
    result = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class CancelTaskForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
