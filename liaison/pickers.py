"""Searchable pickers for people and units, grouped by unit (issue 15 §9).

Every form that picks a person (receiver, deputy, assignee, owner, viewer) or
a unit uses these instead of a Ctrl-click ``<select multiple>``:

- ``PersonChoiceField`` / ``PersonMultipleChoiceField``: a user, labelled
  "姓名（用户名）", the options grouped by the user's unit (``<optgroup>``).
- ``UnitChoiceField`` / ``UnitMultipleChoiceField``: units, grouped by their parent.
- The widgets (``Picker`` / ``MultiPicker``) render a normal ``<select>`` with
  ``data-picker``; static/js/pickers.js (loaded by base.html, so every page
  has it, htmx-swapped fragments too) turns it into a Tom Select box
  (static/vendor/tom-select, vendored from the npm package ``tom-select``)
  where one types to filter. People pickers also carry ``data-search-url``:
  typing asks ``people_search`` (``/pickers/people/?q=``) for matches beyond
  the first options. Without JavaScript the plain select still works.

Who may be picked comes from ``pickable_people(actor=..., purpose=...)``, the
one selector for these lists and the search endpoint: active users, never
system accounts (superusers, accounts without a usable password); for
``purpose="deputy"`` never the actor either. People without a unit are listed
under "未分配单位".
"""
from itertools import groupby

from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

DEPUTY = "deputy"
PERSON = "person"
PURPOSES = (PERSON, DEPUTY)
SEARCH_LIMIT = 20


def system_accounts_q() -> Q:
    """Users who are not people one hands work to: superusers (the installer's
    ``admin``) and accounts whose password is unusable (service/import accounts;
    Django marks them with a leading ``!``)."""
    return Q(is_superuser=True) | Q(password__startswith="!")


def pickable_people(*, actor, purpose: str = PERSON) -> QuerySet:
    """Active people ``actor`` may pick, ordered by unit (its sort order) then name,
    with ``profile__unit`` joined (one query for a whole list).

    ``purpose="deputy"`` also leaves out the actor (nobody is their own deputy).
    Raises ValueError for an unknown purpose.
    """
    if purpose not in PURPOSES:
        raise ValueError("unknown picker purpose: %s" % purpose)
    users = _people_order(get_user_model().objects.filter(is_active=True).exclude(system_accounts_q()))
    if purpose == DEPUTY and actor is not None:
        users = users.exclude(pk=actor.pk)
    return users


def search_people(*, actor, purpose: str = PERSON, query: str = "", limit: int = SEARCH_LIMIT) -> list[dict]:
    """Up to ``limit`` pickable people whose name, username or unit contains ``query``:
    ``[{"value": pk, "text": "姓名（用户名）", "unit": "市场部"}, ...]``. One query."""
    users = pickable_people(actor=actor, purpose=purpose)
    query = (query or "").strip()[:50]
    if query:
        users = users.filter(
            Q(first_name__icontains=query) | Q(last_name__icontains=query) | Q(username__icontains=query)
            | Q(profile__unit__name__icontains=query)
        )
    return [{"value": u.pk, "text": person_label(u), "unit": unit_name(u)} for u in users[:limit]]


def person_label(user) -> str:
    """"张三（zhangsan）", or the username alone when there is no name."""
    name = user.get_full_name()
    return "%s（%s）" % (name, user.username) if name else user.username


def unit_name(user) -> str:
    unit = getattr(getattr(user, "profile", None), "unit", None)
    return unit.name if unit else str(_("未分配单位"))


class _GroupedIterator(forms.models.ModelChoiceIterator):
    """The field's choices as optgroups: ``(group label, [(value, label), ...])``;
    the field's ``group_of(obj)`` names the group (the queryset is ordered by it)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        queryset = self.queryset
        if not queryset._prefetch_related_lookups:
            queryset = queryset.iterator()
        for group, objs in groupby(queryset, key=self.field.group_of):
            yield (group, [self.choice(obj) for obj in objs])


class Picker(forms.Select):
    """A single-choice searchable picker (Tom Select over a grouped ``<select>``)."""

    picker_kind = "unit"
    placeholder = _("输入部门名称搜索")

    def __init__(self, attrs=None, search_url=None, purpose=None):
        attrs = {"data-picker": self.picker_kind, **(attrs or {})}
        attrs.pop("size", None)
        if search_url is not None:
            # Lazy: fields are built at import time, before the URLconf can be reversed.
            attrs["data-search-url"] = format_lazy("{}?purpose={}", search_url, purpose or PERSON)
        attrs.setdefault("data-placeholder", self.placeholder)
        super().__init__(attrs)


class MultiPicker(Picker, forms.SelectMultiple):
    """A multiple-choice searchable picker: chosen entries show as removable tags."""

    allow_multiple_selected = True


class PersonPicker(Picker):
    picker_kind = "person"
    placeholder = _("输入姓名、用户名或部门搜索")


class PersonMultiPicker(MultiPicker):
    picker_kind = "person"
    placeholder = _("输入姓名、用户名或部门搜索")


class _PersonMixin:
    iterator = _GroupedIterator

    def __init__(self, *args, actor=None, purpose=PERSON, queryset=None, **kwargs):
        # The server-side search answers pickable_people only: a field given a
        # narrower queryset (say, leaders only) searches its own options instead.
        search_url = reverse_lazy("people-search") if queryset is None else None
        if queryset is None:
            queryset = pickable_people(actor=actor, purpose=purpose)
        else:
            queryset = _people_order(queryset)
        widget_class = PersonMultiPicker if self.multiple else PersonPicker
        kwargs.setdefault("widget", widget_class(search_url=search_url, purpose=purpose))
        super().__init__(queryset, *args, **kwargs)

    @staticmethod
    def group_of(user):
        return unit_name(user)

    def label_from_instance(self, obj):
        return person_label(obj)


class PersonChoiceField(_PersonMixin, forms.ModelChoiceField):
    """One person, picked from ``pickable_people`` (or the ``queryset`` given), grouped by unit."""

    multiple = False


class PersonMultipleChoiceField(_PersonMixin, forms.ModelMultipleChoiceField):
    """Several people, picked from ``pickable_people`` (or the ``queryset`` given), grouped by unit."""

    multiple = True


class _UnitMixin:
    iterator = _GroupedIterator

    def __init__(self, *args, queryset=None, **kwargs):
        if queryset is None:
            # By name, not imported: liaison imports no app (issue 11); the units are officers' OrgUnit.
            queryset = apps.get_model("officers", "OrgUnit").objects.filter(is_active=True)
        queryset = queryset.select_related("parent").order_by("parent__sort_order", "parent__code",
                                                                 "sort_order", "code")
        kwargs.setdefault("widget", MultiPicker() if self.multiple else Picker())
        super().__init__(queryset, *args, **kwargs)

    @staticmethod
    def group_of(unit):
        return unit.parent.name if unit.parent_id else str(_("本单位"))

    def label_from_instance(self, obj):
        return obj.name


class UnitChoiceField(_UnitMixin, forms.ModelChoiceField):
    """One unit, searchable, grouped by its parent unit."""

    multiple = False


class UnitMultipleChoiceField(_UnitMixin, forms.ModelMultipleChoiceField):
    """Several units, searchable, grouped by their parent unit."""

    multiple = True


def set_queryset(field: forms.ModelChoiceField, queryset: QuerySet) -> None:
    """Give a picker field a narrower queryset after the form is built (keeps its
    joins and grouping order): ``set_queryset(form.fields["units"], allowed_units)``."""
    if isinstance(field, _UnitMixin):
        queryset = queryset.select_related("parent").order_by("parent__sort_order", "parent__code",
                                                                "sort_order", "code")
    elif isinstance(field, _PersonMixin):
        queryset = _people_order(queryset)
        field.widget.attrs.pop("data-search-url", None)  # the search knows pickable_people only
    field.queryset = queryset


def _people_order(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("profile__unit").order_by(
        "profile__unit__sort_order", "profile__unit__code", "last_name", "first_name", "username")
