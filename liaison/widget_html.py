"""Django's stock widget templates written in Python (issue 12).

A form's widgets render through templates: a radio button is four template
renders (radio_option → input_option → input → attrs), a select an include
per option. A form of eight fields is some 170 template nodes, about half a
small page's time. ``PythonWidgets`` is a form renderer that writes the same
HTML as django/forms/widgets/{input, attrs, select, select_option,
multiple_input, input_option, textarea, clearable_file_input}.html (Django
5.2) directly from the widget's context; any other template, or a case it
does not cover (a clearable file input with a current file), goes to the
templates as before. A form opts in with ``default_renderer = PythonWidgets``.

Values are escaped as the templates' autoescape did (``conditional_escape``;
``stringformat:'s'`` keeps a safe string safe).
"""
from __future__ import annotations

from django.forms.models import ModelChoiceField, ModelChoiceIterator
from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeData, mark_safe

_W = "django/forms/widgets/"


def _s(value) -> str:
    """``{{ value|stringformat:'s' }}``."""
    text = "%s" % (value,)
    return esc(mark_safe(text) if isinstance(value, SafeData) else text)


def _v(value) -> str:
    """``{{ value }}``: localized, then escaped (render_value_in_context)."""
    return esc(value if isinstance(value, str) else localize(value))


def attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(" %s" % _v(name) if value is True else ' %s="%s"' % (_v(name), _s(value)))
    return "".join(out)


def _input(w: dict) -> str:
    """input.html (and text, number, email, hidden, checkbox, file… which include it)."""
    value = "" if w["value"] is None else ' value="%s"' % _s(w["value"])
    return '<input type="%s" name="%s"%s%s>' % (_v(w["type"]), _v(w["name"]), value, attrs_html(w["attrs"]))


def _input_option(w: dict) -> str:
    """input_option.html as an include writes it (each included file ends in a newline)."""
    if not w.get("wrap_label"):
        return _input(w) + "\n\n"
    label_for = ' for="%s"' % _v(w["attrs"]["id"]) if w["attrs"].get("id") else ""
    return "<label%s>%s\n %s</label>\n" % (label_for, _input(w), _v(w["label"]))


def _wrapped_option(w: dict) -> str:
    """radio_option.html, checkbox_option.html: an include of input_option.html."""
    return _input_option(w) + "\n"


def _select_option(w: dict) -> str:
    return '<option value="%s"%s>%s</option>\n' % (_s(w["value"]), attrs_html(w["attrs"]), _v(w["label"]))


_OPTIONS = {_W + "select_option.html": _select_option, _W + "radio_option.html": _wrapped_option,
            _W + "checkbox_option.html": _wrapped_option, _W + "input_option.html": _input_option}


class _Fallback(Exception):
    """A case the Python writers do not cover: render the template."""


def _option(option: dict) -> str:
    writer = _OPTIONS.get(option["template_name"])
    if writer is None:
        raise _Fallback
    return writer(option)


def _select(w: dict) -> str:
    out = ['<select name="%s"%s>' % (_v(w["name"]), attrs_html(w["attrs"]))]
    for group_name, group_choices, _index in w["optgroups"]:
        if group_name:
            out.append('\n  <optgroup label="%s">' % _v(group_name))
        for option in group_choices:
            out.append("\n  " + _option(option))
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _multiple_input(w: dict) -> str:
    """multiple_input.html (radio.html, checkbox_select.html)."""
    wid = w["attrs"].get("id")
    klass = w["attrs"].get("class")
    out = ["<div%s%s>" % (' id="%s"' % _v(wid) if wid else "", ' class="%s"' % _v(klass) if klass else "")]
    for group, options, _index in w["optgroups"]:
        if group:
            out.append("\n  <div><label>%s</label>" % _v(group))
        for option in options:
            out.append("<div>\n    %s</div>" % _option(option))
        if group:
            out.append("\n  </div>")
    out.append("\n</div>")
    return "".join(out)


def _multiwidget(w: dict) -> str:
    """multiwidget.html (multiple_hidden.html): each subwidget's input, in
    ``{% spaceless %}`` (no white space left between them)."""
    out = []
    for sub in w["subwidgets"]:
        if _WRITERS.get(sub["template_name"]) is not _input:
            raise _Fallback
        out.append(_input(sub))
    return "".join(out)


def _textarea(w: dict) -> str:
    return '<textarea name="%s"%s>\n%s</textarea>' % (
        _v(w["name"]), attrs_html(w["attrs"]), _v(w["value"]) if w["value"] else "")


def _clearable_file(w: dict) -> str:
    if w.get("is_initial"):
        raise _Fallback  # the current file's link and clear box: the template
    return '<input type="%s" name="%s"%s>' % (_v(w["type"]), _v(w["name"]), attrs_html(w["attrs"]))


_WRITERS = {_W + name + ".html": _input for name in (
    "input", "text", "number", "email", "url", "password", "hidden", "date", "datetime", "time", "search", "tel",
    "color", "checkbox", "file")}
_WRITERS.update({_W + "select.html": _select, _W + "radio.html": _multiple_input,
                 _W + "checkbox_select.html": _multiple_input, _W + "multiple_input.html": _multiple_input,
                 _W + "multiwidget.html": _multiwidget, _W + "multiple_hidden.html": _multiwidget,
                 _W + "textarea.html": _textarea, _W + "clearable_file_input.html": _clearable_file})


class PythonWidgets(DjangoTemplates):
    """The stock widget templates in Python; anything else through the templates.
    Use the one instance, ``PYTHON_WIDGETS``: each instance builds its own
    template engine on its first template."""

    def render(self, template_name, context, request=None):
        writer = _WRITERS.get(template_name)
        if writer is not None and "widget" in context:
            try:
                return writer(context["widget"])
            except _Fallback:
                pass
        return super().render(template_name, context, request=request)


class ListedChoiceIterator(ModelChoiceIterator):
    """A model choice field's options from one plain query: ModelChoiceIterator
    reads them through ``.iterator()``, a server-side cursor on PostgreSQL
    (DECLARE, FETCH and CLOSE: three round trips for a short list)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in list(self.queryset):
            yield self.choice(obj)


class ListedModelChoiceField(ModelChoiceField):
    """A ModelChoiceField whose options are read in one plain query."""

    iterator = ListedChoiceIterator


PYTHON_WIDGETS = PythonWidgets()
