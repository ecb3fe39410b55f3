"""The filters of the item lists, shared by the list pages and the Excel export.

The list page and its "导出 Excel" link use the same form: ``.filter(qs)``
narrows a queryset (already cut down by ``items_visible_to(user)``) and
``.querystring()`` gives the active filters urlencoded, so the export holds
exactly the rows the list shows.

Every field is optional. A field with a bad value shows a form error and is
simply not applied (Django leaves it out of ``cleaned_data``); the other
filters still work.
"""
import datetime

from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.http import urlencode
from django.utils.safestring import SafeData, mark_safe
from django.db import connection
from django.template import engines
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from liaison.normalize import AsciiDateField
from officers.models import OrgUnit

from .models import Direction, Item, Urgency

_ANY = [("", _("全部"))]


# --- widgets rendered in Python ---------------------------------------------
#
# Every list page shows this form. Through Django's widget templates its
# seven fields cost about 76 template renders a page (an include per option
# and per attribute list), a third of the page's time (issue 12). These
# widgets write the same HTML as django/forms/widgets/{input,select,
# select_option,attrs}.html directly from the widget's context.


def _text(value):
    """``{{ value|stringformat:'s' }}`` with autoescape."""
    text = "%s" % (value,)
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)


def _attrs_html(attrs):
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(" %s" % conditional_escape(name))
        else:
            out.append(' %s="%s"' % (conditional_escape(name), _text(value)))
    return "".join(out)


def render_widget(widget):
    """The HTML of a widget's template context (``context["widget"]``) for
    the input and select templates."""
    if "optgroups" in widget:
        out = ['<select name="%s"%s>' % (conditional_escape(widget["name"]), _attrs_html(widget["attrs"]))]
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                out.append('\n  <optgroup label="%s">' % conditional_escape(group_name))
            for option in group_choices:
                out.append('\n  <option value="%s"%s>%s</option>\n' % (
                    _text(option["value"]), _attrs_html(option["attrs"]), conditional_escape(option["label"])))
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return "".join(out)
    value = "" if widget["value"] is None else ' value="%s"' % _text(widget["value"])
    return '<input type="%s" name="%s"%s%s>' % (
        conditional_escape(widget["type"]), conditional_escape(widget["name"]), value, _attrs_html(widget["attrs"]))


class _PythonRendered:
    """A widget whose HTML is written by ``render_widget``, not a template."""

    def _render(self, template_name, context, renderer=None):
        return mark_safe(render_widget(context["widget"]))


class TextInput(_PythonRendered, forms.TextInput):
    pass


class DateInput(_PythonRendered, forms.DateInput):
    pass


class Select(_PythonRendered, forms.Select):
    """django/forms/widgets/select.html for flat choices, written straight
    from the choices: ``optgroups`` builds a dict of ten keys an option
    (about 50 units on every list page; issue 12). Grouped choices go the
    long way."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if self.allow_multiple_selected or any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        wanted = self.format_value(value)
        out = ['<select name="%s"%s>' % (conditional_escape(name), _attrs_html(self.build_attrs(self.attrs, attrs)))]
        has_selected = False
        for option_value, label in choices:
            if option_value is None:
                option_value = ""
            selected = not has_selected and str(option_value) in wanted
            has_selected |= selected
            out.append('\n  <option value="%s"%s>%s</option>\n' % (
                _text(option_value), " selected" if selected else "", conditional_escape(label)))
        out.append("\n</select>")
        return mark_safe("".join(out))


class _ListedChoices(ModelChoiceIterator):
    """The units as one plain query of their ids and names: ModelChoiceIterator
    reads them through ``.iterator()``, a server-side cursor on PostgreSQL
    (three round trips), and builds a model instance an option. The label is
    the unit's name (``OrgUnit.__str__``)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", "name")


class UnitChoiceField(forms.ModelChoiceField):
    iterator = _ListedChoices


class ItemFilterForm(forms.Form):
    q = forms.CharField(
        label=_("关键词"),
        required=False,
        max_length=100,
        strip=True,
        widget=TextInput(attrs={"placeholder": _("编号、主题或摘要"), "type": "search"}),
    )
    state = forms.ChoiceField(label=_("处理状态"), required=False, choices=_ANY + list(Item.State.choices),
                              widget=Select)
    urgency = forms.ChoiceField(label=_("紧急程度"), required=False, choices=_ANY + list(Urgency.choices),
                                widget=Select)
    unit = UnitChoiceField(
        label=_("发起部门"), required=False, queryset=OrgUnit.objects.only("id", "name"), empty_label=_("全部"),
        widget=Select,
    )
    direction = forms.ChoiceField(label=_("方向"), required=False, choices=_ANY + list(Direction.choices),
                                  widget=Select)
    date_from = AsciiDateField(
        label=_("发起日期从"), required=False, widget=DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = AsciiDateField(
        label=_("发起日期至"), required=False, widget=DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    # The order of the query string (stable links, readable audit details).
    FIELDS = ("q", "state", "urgency", "unit", "direction", "date_from", "date_to")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            # add_error drops date_to from cleaned_data: the range is then open-ended.
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        return cleaned

    # -- applying -----------------------------------------------------------

    def active_filters(self) -> dict:
        """The valid, non-empty filters as cleaned values."""
        if not self.is_bound:
            return {}
        self.is_valid()  # fills cleaned_data with the valid fields only
        data = getattr(self, "cleaned_data", {})
        return {name: data[name] for name in self.FIELDS if data.get(name) not in (None, "")}

    def filter(self, queryset):
        """Narrow ``queryset`` (of Item) by the valid filters."""
        active = self.active_filters()
        if "q" in active:
            text = active["q"]
            queryset = queryset.filter(
                Q(number__icontains=text) | Q(subject__icontains=text) | Q(summary__icontains=text)
            )
        if "state" in active:
            queryset = queryset.filter(state=active["state"])
        if "urgency" in active:
            queryset = queryset.filter(urgency=active["urgency"])
        if "unit" in active:
            queryset = queryset.filter(unit=active["unit"])
        if "direction" in active:
            queryset = queryset.filter(direction=active["direction"])
        # Dates are calendar days in the organisation's time zone; date_to is inclusive.
        if "date_from" in active:
            queryset = queryset.filter(submitted_at__gte=local_midnight(active["date_from"]))
        if "date_to" in active:
            queryset = queryset.filter(
                submitted_at__lt=local_midnight(active["date_to"] + datetime.timedelta(days=1))
            )
        return queryset

    def querystring(self) -> str:
        """The active filters urlencoded ("state=archived&unit=3"), "" if none."""
        pairs = []
        for name, value in self.active_filters().items():
            if isinstance(value, OrgUnit):
                value = value.pk
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            pairs.append((name, value))
        return urlencode(pairs)

    def describe(self) -> str:
        """The active filters in words, for audit rows and workbook headers."""
        parts = []
        for name, value in self.active_filters().items():
            field = self.fields[name]
            if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
                value = dict(field.choices).get(value, value)
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            parts.append(f"{field.label}={value}")
        return "; ".join(parts)


# The labelled fields of infoflow/_filters.html, as its loop wrote them.
_FIELDS_LOOP = (
    "{% for field in form %}\n"
    "  <label>{{ field.label }}{{ field }}{% if field.errors %}<small class=\"errorlist\">"
    "{{ field.errors|join:\" \" }}</small>{% endif %}</label>\n"
    "  {% endfor %}"
)
_fields_template = None
# (form class, language, the units, the fields' submitted values) → HTML; bounded by clearing.
_FIELDS_HTML: dict = {}
_FIELDS_HTML_MAX = 256


def _render_fields(form) -> str:
    global _fields_template
    if _fields_template is None:
        _fields_template = engines["django"].from_string(_FIELDS_LOOP)
    return _fields_template.render({"form": form})


_UNITS_SQL: dict = {}


def _unit_choices(form) -> tuple:
    """``tuple(form.fields["unit"].queryset.values_list("pk", "name"))``
    through its SQL compiled once per vendor (the unit field's queryset is
    the form class's, the same on every request; issue 12)."""
    key = (connection.vendor, type(form))
    found = _UNITS_SQL.get(key)
    if found is None:
        found = _UNITS_SQL[key] = form.fields["unit"].queryset.values_list("pk", "name").query.sql_with_params()
    sql, params = found
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return tuple(tuple(row) for row in cursor.fetchall())


def fields_html(form) -> str:
    """The form's labelled fields for infoflow/_filters.html (issue 12).

    An ItemFilterForm's HTML is a function of the request's language, the
    units (their ids and names, in order: the unit field's choices and what
    it accepts) and the values submitted for its fields — nothing else —
    so it is kept per process under exactly that key, read with one query
    of the units' ids and names. A page's rows, counts or user are not in
    it. Rendering it through the form's fields and widgets cost about a
    sixth of a list page's Python."""
    if not isinstance(form, ItemFilterForm):
        return _render_fields(form)
    units = _unit_choices(form)
    data = form.data if form.is_bound else {}
    submitted = tuple((name, tuple(data.getlist(name)) if hasattr(data, "getlist") else data.get(name))
                      for name in form.fields if name in data)
    key = (type(form), form.prefix, form.auto_id, get_language(), units, form.is_bound, submitted)
    html = _FIELDS_HTML.get(key)
    if html is None:
        if len(_FIELDS_HTML) >= _FIELDS_HTML_MAX:
            _FIELDS_HTML.clear()
        html = _FIELDS_HTML[key] = _render_fields(form)
    return html


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The aware start of ``day`` in settings.TIME_ZONE."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())
