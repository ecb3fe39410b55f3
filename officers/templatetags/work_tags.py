"""The home card of work reports, replacement flags and accountability
cases (its figures: officers.home_figures, part of the home page's one
statement), and the words of a history row's change reason."""
from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.home_figures import home_figures

register = template.Library()


@register.simple_tag(takes_context=True)
def work_home_counts(context):
    """{"to_file", "late", "to_comment", "flags", "rectifications",
    "late_rectifications", "sees_cases"} for the user, or None when none of
    it concerns them (officers.home_figures, the home page's one statement)."""
    user = context["request"].user
    if not user.is_authenticated:
        return None
    return home_figures(context["request"])["work"]


# What the services write as a history row's change reason, in words.
CHANGE_REASONS = {
    "record": gettext_noop("登记"),
    "rectified": gettext_noop("整改完成"),
    "seed_demo": gettext_noop("示例数据"),
}


@register.filter
def change_reason(code) -> str:
    """A history row's change reason ("rectified") as the reader's words ("整改完成"); unknown text as it is."""
    label = CHANGE_REASONS.get(code or "")
    return _(label) if label else (code or "")
