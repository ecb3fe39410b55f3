"""The layout's menu and language switch, rendered once per language and
kind of user.

The menu entries (templates/_menu.html, _nav_items.html and the apps' nav
templates it includes) depend only on the language, the user's roles, staff
and superuser flags and the context processor's may_* flags; rendering them
on every request cost about a third of a bare page (issue 12).
``{% menu_entries %}`` renders them once per ``menu_key`` in each process and
reuses the HTML; ``{% language_buttons %}`` does the same for the footer's
language buttons, once per language.

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


@register.simple_tag(takes_context=True)
def menu_entries(context):
    key = menu_key(context)
    html = _rendered.get(key)
    if html is None:
        html = mark_safe(context.template.engine.get_template(MENU_TEMPLATE).render(context))
        if len(_rendered) >= _MAX_ENTRIES:
            _rendered.clear()
        _rendered[key] = html
    return html


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
