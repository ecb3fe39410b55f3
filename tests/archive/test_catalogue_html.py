"""The catalogue's HTML written in Python (issue 12) is what Django's own
templates and format_html wrote: the filter widgets (a select's HTML kept
per process under its choices, value and language: the same as written
afresh) and the rows, tree and pending list (plain escapes instead of
format_html)."""
import re

import pytest
from django import forms
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from archive import views
from archive.views import CatalogueForm, catalogue_rows_html, fast_widget_html, pending_html, tree_html

CASES = [{}, {"unit_type": "x", "importance": "normal", "retention_state": "due", "year": "2026", "q": '<a&"\'>'},
         {"importance": "nonsense", "year": "x", "top": "信<息>", "mid": "&", "month": "2026-03"}]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_widgets_are_djangos_own_templates(market, prod, language):
    views._WIDGET_HTML.clear()
    with translation.override(language):
        for data in CASES + [{"unit": str(market.pk)}, {"unit": str(prod.pk)}]:
            for _kept in (1, 2):  # written, then read back from the process's copy
                form = CatalogueForm(data or None)
                for bound in form:
                    widget = bound.field.widget
                    attrs = bound.build_widget_attrs({})
                    if bound.auto_id and "id" not in widget.attrs:
                        attrs.setdefault("id", bound.auto_id)
                    ours = fast_widget_html(widget, bound.html_name, bound.value(), attrs)
                    django = forms.Widget.render(widget, bound.html_name, bound.value(), attrs)
                    # The options' line breaks are the page's as it was (select_option.html's own
                    # trailing newline is left out, as fast_widget_html always did).
                    assert re.sub(r">\s+<", "><", ours) == re.sub(r">\s+<", "><", django), (language, data, bound.name)
                    if isinstance(widget, forms.Select):
                        written = views._select_html(widget, bound.html_name, bound.value(), attrs,
                                                     list(iter(widget.choices)))
                        assert ours == written, (language, data, bound.name)


class Record:
    def __init__(self, **fields):
        self.__dict__.update(fields)


def old_rows_html(page):
    """The rows as format_html wrote them before (the reference)."""
    labels = ["归档编号", "题名", "分类", "重要程度", "保管期限", "状态"]
    parts = [format_html(
        '\n  <tr>\n    <td data-label="{}"><a href="{}">{}</a></td>\n    <td data-label="{}">{}</td>'
        '\n    <td data-label="{}">{} / {} / {}</td>\n    <td data-label="{}">{}</td>'
        '\n    <td data-label="{}">{}{}</td>\n    <td data-label="{}">{}</td>\n  </tr>',
        labels[0], r.url, r.number, labels[1], r.subject, labels[2], r.class_top, r.class_mid, r.class_date,
        labels[3], r.importance, labels[4], r.retention,
        format_html(" <small>（{} {}）</small>", "至", r.retention_until.strftime("%Y-%m-%d")),
        labels[5], r.state) for r in page]
    return mark_safe("".join(parts))


def test_rows_tree_and_pending_escape_as_format_html_did():
    import datetime as dt

    odd = '<b>&"\'合同</b>'
    record = Record(url="/archive/records/1/", number="ND-2026-1", subject=odd, class_top=odd, class_mid="&",
                    class_date="2026-03", importance="<x>", retention="'y'", retention_until=dt.date(2030, 1, 2),
                    state='"z"')
    with translation.override("zh-hans"):
        assert catalogue_rows_html([record]) == old_rows_html([record])
        tree = [(odd, 2, [("a&b c", 2, [("2026-03", 1), ("<2026>", 1)])])]
        top_q = "top=" + views.quote(odd)
        mid_q = top_q + "&mid=" + views.quote("a&b c")
        expected = (format_html('<li><a href="?{}">{}</a> <small>({})</small>\n      <ul>', top_q, odd, 2)
                    + format_html('\n        <li><a href="?{}">{}</a> <small>({})</small>\n          <ul>',
                                  mid_q, "a&b c", 2)
                    + format_html_join("", '<li><a href="?{}&amp;month={}">{}</a> <small>({})</small></li>',
                                       [(mid_q, "2026-03", "2026-03", 1), (mid_q, "<2026>", "<2026>", 1)])
                    + "</ul>\n        </li>\n      </ul>\n    </li>\n    ")
        assert tree_html(tree) == expected
        item = Record(number=None, subject=odd, completed_label="2026-03-02 10:00", archive_url="/x/?a=1&b=2")
        assert pending_html([item]) == format_html_join(
            "", '\n  <li>{} {} <small>{}</small>\n    <a href="{}" role="button" class="small">{}</a></li>',
            [("", odd, item.completed_label, item.archive_url, "立即归档")])
