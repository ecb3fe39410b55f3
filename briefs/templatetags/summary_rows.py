"""The rows of the monthly publication summary's tables, written in Python
(issue 12): a department and a release row were a dozen template nodes each
(every cell's label translated again), some 1,300 nodes for a month's 50
departments and 50 releases. These tags write the same HTML the template
wrote, the labels translated once per table; every value is escaped."""
from django import template
from django.conf import settings
from django.utils.formats import localize
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()

ROW_SEPARATOR = "\n  "


def _text(value) -> str:
    """``{{ value }}``'s text: a count as digits unless thousands are grouped."""
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return esc(localize(value))


def _cell(label: str, value) -> str:
    return '<td data-label="%s">%s</td>' % (label, _text(value))


@register.simple_tag
def summary_channel_rows(channels) -> SafeString:
    """``<tr>`` per channel: name, records, views."""
    labels = [esc(_(text)) for text in ("渠道", "发布条数", "浏览次数")]
    return mark_safe(ROW_SEPARATOR.join(
        "<tr>%s</tr>" % "".join(_cell(label, c[key]) for label, key in zip(labels, ("name", "records", "views")))
        for c in channels))


DEPARTMENT_COLUMNS = (("部门", "unit"), ("发布信息数", "released"), ("读者反馈", "feedback"),
                      ("部门采用", "department"), ("公司采用", "organisation"), ("对外发布/报送", "publication"))


@register.simple_tag
def summary_department_rows(departments) -> SafeString:
    """``<tr>`` per department: released, feedback and the adoption levels."""
    columns = [(esc(_(text)), key) for text, key in DEPARTMENT_COLUMNS]
    return mark_safe(ROW_SEPARATOR.join(
        "<tr>%s</tr>" % "".join(_cell(label, d[key]) for label, key in columns) for d in departments))


@register.simple_tag
def summary_release_rows(releases) -> SafeString:
    """``<tr>`` per release: number, subject with its department, views per
    channel, feedback."""
    number, subject, by_channel, feedback = (esc(_(text)) for text in ("信息编号", "信息主题", "各渠道浏览", "读者反馈"))
    rows = []
    for r in releases:
        views = "；".join("%s %s" % (esc(name), _text(n)) for name, n in r["channels"].items())
        rows.append(
            '<tr><td data-label="%s">%s</td><td data-label="%s">%s<br><small class="muted">%s</small></td>\n'
            '  <td data-label="%s">%s</td><td data-label="%s">%s</td></tr>'
            % (number, esc(r["number"]), subject, esc(r["subject"]), esc(r["unit"]), by_channel, views,
               feedback, _text(r["feedback"])))
    return mark_safe(ROW_SEPARATOR.join(rows))
