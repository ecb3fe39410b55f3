"""The layout's menu, rendered once per language and kind of user.

The menu entries (templates/_nav_items.html and the apps' nav templates it
includes) depend only on the language, the user's roles, staff and superuser
flags and the context processor's may_* flags; rendering them on every
request cost about a third of a bare page (issue 12). ``{% menu_entries %}``
renders them once per ``menu_key`` in each process and reuses the HTML.

An entry that depends on anything else must add it to ``menu_key``.
"""
from django import template
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

MENU_TEMPLATE = "_nav_items.html"
_rendered = {}
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
