from django import template
from django.utils.html import conditional_escape as esc
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from infoflow.templatetags.infoflow_rows import _csrf, _link, _when  # the list rows' helpers
from portal.home_figures import home_figures

from ..models import InstructionTask

register = template.Library()


@register.simple_tag(takes_context=True)
def followup_home_counts(context):
    """The 待阅 and task counts behind the home card (one statement), so
    the home page needs no change of its own context to show them (part of
    the home page's one statement: portal.home_figures)."""
    request = context["request"]
    if not request.user.is_authenticated:
        return None
    return home_figures(request)["followup"]


# --- the list rows, written in Python (issue 12) ------------------------------------------
#
# The reading inbox's and the task list's rows as their templates wrote them
# (about 30 template nodes a row, each cell's label translated again per
# row), with the constant texts translated once a page and each link built
# from one reverse (infoflow_rows' helpers). They read the dicts of
# selectors.READING_ROW_FIELDS and TASK_ROW_FIELDS; every value from the
# database is escaped.

def _name(row: dict, prefix: str) -> str:
    """``user.get_full_name|default:user.username`` from a row's values, escaped."""
    full = ("%s %s" % (row[prefix + "first_name"], row[prefix + "last_name"])).strip()
    return esc(full or row[prefix + "username"])


@register.simple_tag(takes_context=True)
def reading_rows(context, page, done):
    """The rows of followup/reading_inbox.html (``page`` of ``selectors.reading_rows``)."""
    detail, mark_read = _link("infoflow:item-detail"), _link("followup:mark-read")
    info, sender, sent = esc(_("信息")), esc(_("传阅人")), esc(_("传阅时间"))
    last = esc(_("阅读时间")) if done else esc(_("操作"))
    button = None
    out = []
    for row in page:
        note = row["circulation__note"]
        note_html = "<br><small>%s</small>" % esc(Truncator(note).chars(80)) if note else ""
        if done:
            action = _when(row["read_at"])
        else:
            if button is None:
                button = ('" class="inline">%s<input type="hidden" name="next" value="inbox"><button type="submit" '
                          'class="small">%s</button></form>' % (_csrf(context), esc(_("已阅"))))
            action = '<form method="post" action="%s%s' % (mark_read(row["item_id"]), button)
        out.append(
            '\n  <tr>\n'
            '    <td data-label="%s"><a href="%s">%s %s</a><br><small class="muted">%s</small>%s</td>\n'
            '    <td data-label="%s">%s</td>\n'
            '    <td data-label="%s">%s</td>\n'
            '    <td data-label="%s">%s</td>\n'
            '  </tr>\n  ' % (
                info, detail(row["item_id"]), esc(row["item__number"] or ""), esc(row["item__subject"]),
                esc(row["item__unit__name"]), note_html,
                sender, _name(row, "circulation__sent_by__"),
                sent, _when(row["circulation__sent_at"]),
                last, action,
            )
        )
    if not out:
        empty = _("还没有已阅的传阅信息。") if done else _("没有待阅的信息。")
        out.append('\n  <tr><td colspan="4" class="muted">%s</td></tr>\n  ' % esc(empty))
    return mark_safe("".join(out))


@register.simple_tag
def task_rows(page, now, done):
    """The rows of followup/task_list.html (``page`` of ``selectors.task_rows``)."""
    link = _link("followup:task")
    task, owner, due, state = esc(_("任务")), esc(_("责任人")), esc(_("完成期限")), esc(_("状态"))
    late = ' <span class="badge late">%s</span>' % esc(_("逾期"))
    instructed = _("%(who)s 批示")
    states = {value: esc(str(label)) for value, label in InstructionTask.State.choices}
    out = []
    for row in page:
        unit = row["unit__name"]
        out.append(
            '\n  <tr>\n'
            '    <td data-label="%s"><a href="%s">%s</a><br><small class="muted">%s · %s</small></td>\n'
            '    <td data-label="%s">%s%s</td>\n'
            '    <td data-label="%s">%s%s</td>\n'
            '    <td data-label="%s"><span class="badge">%s</span></td>\n'
            '  </tr>\n  ' % (
                task, link(row["id"]), esc(Truncator(row["what"]).chars(60)), esc(row["item__number"] or ""),
                instructed % {"who": _name(row, "instruction__author__")},
                owner, _name(row, "owner__"), '<br><small class="muted">%s</small>' % esc(unit) if unit else "",
                due, _when(row["due_at"]), late if row["state"] == "open" and row["due_at"] < now else "",
                state, states.get(row["state"], esc(row["state"])),
            )
        )
    if not out:
        empty = _("没有已结束的批示任务。") if done else _("没有办理中的批示任务。")
        out.append('\n  <tr><td colspan="4" class="muted">%s</td></tr>\n  ' % esc(empty))
    return mark_safe("".join(out))
