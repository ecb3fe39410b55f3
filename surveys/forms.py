"""Forms of the surveys: the builder's (settings, a question, recipients,
result readers). The questionnaire itself is read from the POST in
``answers_from_post`` and validated by services.submit_response, so a
refused answer comes back with every input kept."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.pickers import PersonMultipleChoiceField, UnitMultipleChoiceField
from officers.models import ExternalContact, ExternalUnit

from . import services
from .models import Question, Survey


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "intro", "anonymous", "working_days"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"working_days": _("发出后按工作日历（节假日、调休）计算截止时间，最长 30 个工作日。")}


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("题型"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("题目"), max_length=services.MAX_QUESTION)
    required = forms.BooleanField(label=_("必答"), required=False, initial=True)
    scale_max = forms.IntegerField(label=_("最高分（评分题）"), min_value=services.SCALE_RANGE[0],
                                   max_value=services.SCALE_RANGE[1], initial=5, required=False)
    options = forms.CharField(label=_("选项（选择题，每行一个）"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))

    @staticmethod
    def initial_of(question: Question) -> dict:
        return {"kind": question.kind, "text": question.text, "required": question.required,
                "scale_max": question.scale_max,
                "options": "\n".join(o.text for o in question.options.all())}

    def option_lines(self) -> list[str]:
        return (self.cleaned_data.get("options") or "").splitlines()


class RecipientsForm(forms.Form):
    users = PersonMultipleChoiceField(label=_("人员"), required=False)
    units = UnitMultipleChoiceField(label=_("部门（其联络员和负责人）"), required=False)
    external_units = forms.ModelMultipleChoiceField(
        label=_("外部单位（其全部联系人）"), required=False,
        queryset=ExternalUnit.objects.filter(is_active=True).order_by("kind", "name"))
    contacts = forms.ModelMultipleChoiceField(
        label=_("外部联系人"), required=False,
        queryset=ExternalContact.objects.filter(external_unit__is_active=True).select_related("external_unit"))

    def chosen_contacts(self) -> list:
        data = self.cleaned_data
        contacts = {c.pk: c for c in data.get("contacts") or []}
        for contact in ExternalContact.objects.filter(external_unit__in=data.get("external_units") or []):
            contacts.setdefault(contact.pk, contact)
        return list(contacts.values())


class ViewersForm(forms.Form):
    viewers = PersonMultipleChoiceField(label=_("可查看结果的人员"), required=False)


def answers_from_post(questions, post) -> dict:
    """question id → the raw value posted for it (a list for multiple choice)."""
    raw = {}
    for question in questions:
        name = "q%d" % question.pk
        raw[question.pk] = post.getlist(name) if question.kind == Question.Kind.MULTIPLE else post.get(name, "")
    return raw
