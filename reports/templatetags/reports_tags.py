"""Template helpers of the reports: a table row's cells with their column
names (the responsive tables' ``data-label`` on a phone), and the home
page's card of the latest report the user may read."""
from django import template
from django.utils.translation import gettext

from portal.home_figures import home_figures

register = template.Library()


@register.filter
def tr(value):
    """A snapshot's label (section title, figure, column: stored in Chinese, the msgid) in the reader's
    language; names typed by users (departments, people) have no entry and stay as they are."""
    return gettext(value) if isinstance(value, str) and value else value


@register.filter
def labelled(row, columns):
    """[(column, value)] for a snapshot table row."""
    columns = list(columns)
    return [(columns[i] if i < len(columns) else "", value) for i, value in enumerate(row)]


@register.simple_tag(takes_context=True)
def reports_home(context):
    """{"latest": the newest report the user may read, "manages": secretariat} or None (nothing to show):
    reports.home_figures, part of the home page's one statement."""
    request = context["request"]
    if not request.user.is_authenticated:
        return None
    return home_figures(request)["reports"]
