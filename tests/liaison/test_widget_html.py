"""liaison.widget_html writes the same HTML as Django's widget templates (issue 12)."""
import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.translation import override

from liaison.widget_html import PYTHON_WIDGETS


class _Everything(forms.Form):
    radios = forms.ChoiceField(choices=[("a", "<b>A</b>"), ("b", "B & b")], widget=forms.RadioSelect(attrs={"class": "r"}),
                               initial="b")
    boxes = forms.MultipleChoiceField(choices=[("x", "X"), ("grp", [("1", "one"), ("2", 2)])],
                                      widget=forms.CheckboxSelectMultiple, initial=["x", "2"])
    select = forms.ChoiceField(choices=[("", "---"), ("grp", [("1", "o&e"), ("2", "two")])], initial="1")
    multiple = forms.MultipleChoiceField(choices=[(1, "a"), (2, "b")], initial=[1])
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), initial="a<b>&\n")
    empty_text = forms.CharField(widget=forms.Textarea, required=False)
    flag = forms.BooleanField(initial=True)
    number = forms.IntegerField(initial=1234567)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date", "data-x": '"q"', "disabled": True}))
    hidden = forms.CharField(widget=forms.HiddenInput, initial="h")
    hiddens = forms.MultipleChoiceField(choices=[("a", "a"), ("b", "b")], widget=forms.MultipleHiddenInput,
                                        initial=["a", "b"])
    no_hiddens = forms.MultipleChoiceField(choices=[("a", "a")], widget=forms.MultipleHiddenInput, required=False)
    upload = forms.FileField(required=False)
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"placeholder": "a@b"}))


def _pairs(form_class, **kwargs):
    templates, python = form_class(**kwargs), form_class(**kwargs)
    templates.renderer, python.renderer = DjangoTemplates(), PYTHON_WIDGETS
    return [(str(templates[name]), str(python[name])) for name in templates.fields]


@pytest.mark.parametrize("data", [None, {"radios": "a", "boxes": ["1"], "select": "2", "text": "x\"y", "number": "x"}])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_same_html_as_the_templates(data, language):
    with override(language):
        for expected, written in _pairs(_Everything, data=data):
            assert written == expected


@pytest.mark.django_db
def test_suggestion_form_same_html():
    from suggestions.forms import CaseForm

    for data in (None, {"text": "x<y", "signed": "1", "box": "nope"}):
        for expected, written in _pairs(CaseForm, data=data):
            assert written == expected
