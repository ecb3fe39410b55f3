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
from django import template
from django.conf import settings
from django.urls import get_script_prefix
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
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
