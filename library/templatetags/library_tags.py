"""The library list's filter selects and rows, written in Python (issue 12).

The list page's template wrote each department option with a comparison and
a filter (50 units: about 300 template nodes) and each row with a dozen
translated labels and an include; these tags write the same HTML with the
constant texts translated once a page. Every value from the database is escaped.
"""
from django import template
from django.utils.html import conditional_escape as esc
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from infoflow.models import Confidentiality
from infoflow.templatetags.infoflow_rows import _link  # one reverse a page

register = template.Library()


@register.simple_tag
def library_options(choices, selected):
    """``<option>`` tags of ``choices`` ((pk, name) pairs), the one whose pk
    is the query's value ``selected`` marked selected."""
    selected = selected or ""
    return mark_safe("".join(
        '<option value="%s"%s>%s</option>' % (pk, " selected" if str(pk) == selected else "", esc(name))
        for pk, name in choices))


def _validity(row, today, texts):
    """library/_validity.html for a row's dates."""
    start, end = row["valid_from"], row["valid_until"]
    if start or end:
        html = "%s ~ %s" % (start.strftime("%Y-%m-%d") if start else "—",
                            end.strftime("%Y-%m-%d") if end else texts["long"])
    else:
        html = texts["always"]
    if end and end < today:
        html += ' <span class="badge late">%s</span>' % texts["expired"]
    elif start and start > today:
        html += ' <span class="badge">%s</span>' % texts["pending"]
    return html


@register.simple_tag
def entry_rows(page, today, empty_text):
    """The rows of library/list.html (``page`` of ``selectors.list_values``)."""
    from django.utils import timezone

    link = _link("library:entry")
    labels = [esc(_(text)) for text in ("标题", "类别", "负责部门", "文号", "有效期", "密级", "更新时间")]
    featured, withdrawn = esc(_("推荐")), esc(_("已撤回"))
    texts = {"long": esc(_("长期")), "always": esc(_("长期有效")), "expired": esc(_("已过期")),
             "pending": esc(_("尚未生效"))}
    levels = {value: esc(str(label)) for value, label in Confidentiality.choices}
    out = []
    for row in page:
        updated = row["updated_at"]
        out.append(
            '\n  <tr><td data-label="%s">%s<a href="%s">%s</a>%s</td>\n'
            '      <td data-label="%s">%s</td>\n'
            '      <td data-label="%s">%s</td>\n'
            '      <td data-label="%s">%s</td>\n'
            '      <td data-label="%s">%s</td>\n'
            '      <td data-label="%s">%s</td>\n'
            '      <td data-label="%s">%s</td></tr>\n  ' % (
                labels[0], '<span class="badge">%s</span> ' % featured if row["featured"] else "",
                link(row["id"]), esc(row["title"]),
                ' <span class="badge late">%s</span>' % withdrawn if row["state"] == "withdrawn" else "",
                labels[1], esc(row["category__name"]),
                labels[2], esc(row["department__name"]),
                labels[3], esc(row["reference"] or "—"),
                labels[4], _validity(row, today, texts),
                labels[5], levels.get(row["confidentiality"], esc(row["confidentiality"])),
                labels[6], timezone.localtime(updated).strftime("%Y-%m-%d") if updated else "",
            )
        )
    if not out:
        out.append('<tr><td colspan="7" class="muted">%s</td></tr>' % esc(empty_text))
    return mark_safe("".join(out))
