"""The item page's library panel reads its choices through SQL compiled once
per process (library.selectors.addable_units_read, categories_read) and
writes its form's selects in Python (FileItemForm's PYTHON_WIDGETS): the
same rows and the same HTML as before (issue 12)."""
import pytest
from django.forms.renderers import DjangoTemplates
from django.utils.translation import override

from infoflow.forms import ProgressForm
from library.forms import FileItemForm
from library.panels import _choices
from library.selectors import addable_units, addable_units_read, categories, categories_read

pytestmark = pytest.mark.django_db


def test_the_compiled_reads_are_the_querysets_rows(officer_market, secretary, outsider, regulation,
                                                   template_category):
    for user in (officer_market, secretary, outsider) * 2:  # compiled on the first call, then reused
        assert [u.pk for u in addable_units_read(user)] == [u.pk for u in addable_units(user)]
    assert addable_units_read(outsider) == []
    assert [c.pk for c in categories_read()] == [c.pk for c in categories()]
    assert categories_read()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_panels_form_writes_the_templates_html(officer_market, secretary, regulation, template_category,
                                                   language):
    with override(language):
        for user in (officer_market, secretary):
            forms = []
            for renderer in (DjangoTemplates(), None):
                form = FileItemForm(user=user)
                _choices(form.fields["category"], categories_read())
                _choices(form.fields["department"], addable_units_read(user))
                if renderer is not None:
                    form.renderer = renderer
                forms.append([str(form[name]) for name in form.fields])
            assert forms[0] == forms[1]
        templates, python = ProgressForm(), ProgressForm()
        templates.renderer = DjangoTemplates()
        assert str(templates["text"]) == str(python["text"])
