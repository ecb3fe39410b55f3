"""The layout's menu and language switch, rendered once per language and
kind of user.

The menu entries (templates/_menu.html, _nav_items.html and the apps' nav
templates it includes) depend only on the language, the user's roles, staff
and superuser flags and the context processor's may_* flags; rendering them
on every request cost about a third of a bare page (issue 12).
``{% menu_entries %}`` renders them once per ``menu_key`` in each process and
reuses the HTML (so do ``{% primary_entries %}``, the desktop header's main
sections, and ``{% home_links %}``, the home page's card of every entry);
``{% language_buttons %}`` does the same for the footer's language buttons,
once per language.

An entry that depends on anything else must add it to ``menu_key``.
"""
import datetime as dt
import decimal
from collections import OrderedDict
from types import SimpleNamespace

from django import template
from django.conf import settings
from django.db import models
from django.urls import get_script_prefix
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language, get_language_info

register = template.Library()

MENU_TEMPLATE = "_menu.html"
PRIMARY_TEMPLATE = "_primary_nav.html"  # the header's main sections on a desktop (issue 15 §10)
HOME_LINKS_TEMPLATE = "_home_links.html"  # the home page's "全部功能" card
_rendered = {}
_buttons = {}
_MAX_ENTRIES = 500  # distinct kinds of user; cleared past this, never stale


def menu_key(context):
    """What the menu entries may depend on (see the module docstring)."""
    user = context.get("user")
    roles = context.get("my_roles")
    return (
        get_language(),
        get_script_prefix(),
        bool(getattr(user, "is_superuser", False)),
        bool(getattr(user, "is_staff", False)),
        getattr(roles, "roles", frozenset()),
        bool(getattr(roles, "headed_unit_ids", ())),
        bool(getattr(roles, "supervised_unit_ids", ())),
        bool(getattr(roles, "officer_unit_ids", ())),
        bool(context.get("may_draft")),
        bool(context.get("may_register_incoming")),
    )


def _render_cached(context, template_name):
    key = (template_name, *menu_key(context))
    html = _rendered.get(key)
    if html is None:
        html = mark_safe(context.template.engine.get_template(template_name).render(context))
        if len(_rendered) >= _MAX_ENTRIES:
            _rendered.clear()
        _rendered[key] = html
    return html


@register.simple_tag(takes_context=True)
def menu_entries(context):
    return _render_cached(context, MENU_TEMPLATE)


@register.simple_tag(takes_context=True)
def primary_entries(context):
    """The main sections in the header on a desktop (templates/_primary_nav.html), cached like the menu."""
    return _render_cached(context, PRIMARY_TEMPLATE)


@register.simple_tag(takes_context=True)
def home_links(context):
    """The home page's card of every menu entry the user has (templates/_home_links.html), cached like the menu."""
    return _render_cached(context, HOME_LINKS_TEMPLATE)


@register.simple_tag
def language_buttons():
    """The footer's buttons, one per settings.LANGUAGES, the current one
    marked (what the get_language_info_list loop wrote)."""
    current = get_language()
    html = _buttons.get(current)
    if html is None:
        html = _buttons[current] = format_html_join(
            "\n      ",
            '<button type="submit" name="language" value="{}" lang="{}" class="link{}">{}</button>',
            (
                (info["code"], info["code"], " current" if info["code"] == current else "", info["name_local"])
                for info in (get_language_info(code) for code, _name in settings.LANGUAGES)
            ),
        )
    return html


# --- the home page's cards, kept per figures -------------------------------------------------------------

HOME_CARDS_TEMPLATE = "_home_cards.html"
_HOME_CARDS_MAX = 2000  # distinct (kind of user, language, figures): the least recently shown dropped past this
_home_cards: OrderedDict = OrderedDict()
_ATOMS = frozenset({int, float, str, bool, type(None), decimal.Decimal, dt.date, dt.datetime})


class _NotKept(Exception):
    """A value whose output the key could not pin down."""


def _frozen(value):
    """``value`` as part of a key: equal keys for values the cards' templates
    show the same way. Plain values with their type (True is not 1), dicts,
    lists and tuples, named tuples, namespaces and model instances by their
    field values; anything else (a lazy or safe string, a related object
    cache) raises _NotKept and the cards are rendered as they are."""
    kind = type(value)
    if kind in _ATOMS:
        return kind, value
    if kind is dict:
        return dict, tuple((_frozen(key), _frozen(item)) for key, item in value.items())
    if kind in (list, tuple) or (isinstance(value, tuple) and hasattr(value, "_fields")):
        return kind, tuple(_frozen(item) for item in value)
    if kind is SimpleNamespace:
        return kind, _frozen(vars(value))
    if isinstance(value, models.Model):
        fields = vars(value)
        if value._state.fields_cache or any(name.startswith("_") and name != "_state" for name in fields):
            raise _NotKept
        return kind, tuple((name, _frozen(item)) for name, item in fields.items() if name != "_state")
    raise _NotKept


def home_cards_key(context):
    """Everything templates/_home_cards.html and the apps' cards it includes
    read: the menu's key (language, script prefix, roles, may_draft …), the
    time zone (dates), the cards' figures (portal.home_figures, one statement
    a request) and the bulletin's newest rows; None when a value cannot be
    part of a key."""
    from portal.home_figures import home_figures
    from publication.templatetags.publication_tags import request_bulletin_latest

    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None
    try:
        return (menu_key(context), get_current_timezone_name(), _frozen(home_figures(request)),
                _frozen(request_bulletin_latest(request, 3)))
    except _NotKept:
        return None


@register.simple_tag(takes_context=True)
def home_cards(context):
    """templates/_home_cards.html as ``{% include %}`` renders it, kept per
    ``home_cards_key``: the same figures for the same kind of user in the
    same language make the same cards, and their sixteen templates cost
    about 0.5 ms a home page to render again (issue 12). Their figures are
    read on every request, so a changed number is a new key, never a stale
    card."""
    key = home_cards_key(context)
    html = None if key is None else _home_cards.get(key)
    if html is None:
        template_ = context.template.engine.get_template(HOME_CARDS_TEMPLATE)
        with context.push():  # as {% include %}: the cards' "as" variables stay in their own layer
            html = mark_safe(template_.render(context))
        if key is not None:
            _home_cards[key] = html
            if len(_home_cards) > _HOME_CARDS_MAX:
                _home_cards.popitem(last=False)
    else:
        try:
            _home_cards.move_to_end(key)
        except KeyError:  # dropped meanwhile by another thread
            pass
    return html
