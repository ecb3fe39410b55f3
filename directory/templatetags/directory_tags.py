"""The login page's WeCom / DingTalk buttons (registration/login.html) and
the sync reports' table rows (directory/reports.html)."""
from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape as esc
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from directory import sso

register = template.Library()


@register.inclusion_tag("directory/_sso_buttons.html")
def sso_buttons(next_url=""):
    """A button per platform whose sign-in is on (MessengerApp + the secret)."""
    return {"platforms": [app for app in (sso.login_app(p) for p in sso.PLATFORMS) if app is not None],
            "next": next_url or ""}


# --- the sync reports' rows, written in Python (issue 12) ------------------------------
#
# 20 rows of six cells each translated their cell label, reversed a URL and
# formatted two dates through template nodes: about 40 nodes a row, most of the
# page's time. The same HTML, with the labels translated once a page.

_PK = 987654321  # a number no URL pattern part holds: split out of one reverse


def _when(value) -> str:
    """``value|date:"Y-m-d H:i"`` in the current time zone."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


@register.simple_tag
def report_rows(page):
    """The rows of directory/reports.html's table for ``page`` (reports read
    by ``selectors.report_list``)."""
    link = reverse("directory:report", args=[_PK]).split(str(_PK))
    label = {key: esc(_(key)) for key in ("时间", "新增人员", "信息变化", "目录中已无", "目录中已停用", "查阅")}
    failed, unread = esc(_("失败")), esc(_("未查阅"))
    out = []
    for r in page:
        if r.reviewed_at:
            who = r.reviewed_by
            reviewed = "%s %s" % (esc((who.get_full_name() or who.username) if who else ""), _when(r.reviewed_at))
        else:
            reviewed = '<span class="badge">%s</span>' % unread
        out.append(
            '\n  <tr><td data-label="%s"><a href="%s%d%s">%s</a>%s</td>\n'
            '      <td data-label="%s">%d</td>\n'
            '      <td data-label="%s">%d</td>\n'
            '      <td data-label="%s">%d</td>\n'
            '      <td data-label="%s">%d</td>\n'
            '      <td data-label="%s">%s</td></tr>\n  ' % (
                label["时间"], link[0], r.pk, link[1], _when(r.started_at),
                ' <span class="badge late">%s</span>' % failed if r.error else "",
                label["新增人员"], r.new_count, label["信息变化"], r.changed_count,
                label["目录中已无"], r.missing_count, label["目录中已停用"], r.disabled_count,
                label["查阅"], reviewed))
    return mark_safe("".join(out))
