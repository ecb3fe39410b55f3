"""The rows of the release desk and the release calendar, written in Python
(issue 12): about a dozen template nodes a row (labels translated again,
``{% url %}`` per link, date and default filters). These tags write the same
HTML the templates wrote, the constant texts translated once per table and
each link built from one ``reverse``; every value is escaped, dates shown in
the current time zone as the ``date`` filter did. They read only what the
selectors load (``desk_page``, ``release_calendar``, the bulletin view's
``values()`` rows)."""
from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from infoflow.models import Item

from ..models import ReleasePlan

register = template.Library()

_PK = 987654321  # a number no URL pattern part holds: split out of one reverse


def _link(name: str):
    """A function of an id giving the URL of ``name``: one reverse a table."""
    head, tail = reverse(name, args=[_PK]).split(str(_PK), 1)
    return lambda pk: "%s%d%s" % (head, pk, tail)


def _local(value, pattern: str) -> str:
    return timezone.localtime(value).strftime(pattern) if value else ""


def _display(model, field: str):
    """A function of a value giving ``get_<field>_display()``'s text, escaped:
    the choices translated once a table (get_FOO_display hashes every
    choice's lazy label, a translation each, on every call)."""
    labels = {value: esc(str(label)) for value, label in model._meta.get_field(field).flatchoices}
    return lambda value: labels[value] if value in labels else esc(value)


def _person(user) -> str:
    return esc(user.get_full_name() or user.username)


@register.simple_tag
def calendar_done_rows(records) -> SafeString:
    """``<li>`` per release record of a channel's month: time, item, publisher."""
    done = esc(_("已发布"))
    item_url = _link("infoflow:item-detail")
    return mark_safe("".join(
        '<li><span class="badge ok">%s</span> %s <a href="%s">%s</a> · %s</li>'
        % (done, _local(r.released_at, "%m-%d %H:%M"), item_url(r.release.item_id), esc(r.release.item.subject),
           _person(r.released_by))
        for r in records))


@register.simple_tag
def desk_rows(items) -> SafeString:
    """``<tr>`` per item of the release desk (``desk_reads.DeskRow``):
    subject, confidentiality, the channels it went out on, its plan and the
    actions."""
    labels = {key: esc(_(text)) for key, text in (("item", "信息"), ("conf", "密级"), ("channels", "已发布渠道"),
                                                   ("plan", "发布方案"), ("actions", "操作"), ("release", "发布"),
                                                   ("correct", "更正/撤回"))}
    detail, release_url, plan_url, correct_url = (_link(name) for name in (
        "infoflow:item-detail", "publication:release", "publication:plan", "publication:correct"))
    none = '<span class="muted">—</span>'
    state, confidentiality = _display(Item, "state"), _display(Item, "confidentiality")
    plan_state = _display(ReleasePlan, "state")
    rows = []
    for item in items:
        channels = "".join('%s <small class="muted">%s</small><br>' % (esc(r.channel_name),
                                                                      _local(r.released_at, "%m-%d %H:%M"))
                           for r in item.records) or none
        plan = item.plan
        planned = ("%s · %s" % (plan.planned_on.strftime("%Y-%m-%d") if plan.planned_on else "",
                                plan_state(plan.state)) if plan else none)
        actions = '<a href="%s">%s</a> · <a href="%s">%s</a>' % (release_url(item.pk), labels["release"],
                                                                 plan_url(item.pk), labels["plan"])
        if item.released:
            actions += ' · <a href="%s">%s</a>' % (correct_url(item.pk), labels["correct"])
        rows.append(
            '<tr>\n    <td data-label="%s"><a href="%s">%s</a><br><small class="muted">%s · %s · %s</small></td>\n'
            '    <td data-label="%s">%s</td>\n    <td data-label="%s">%s</td>\n    <td data-label="%s">%s</td>\n'
            '    <td data-label="%s">%s</td>\n  </tr>'
            % (labels["item"], detail(item.pk), esc(item.subject), esc(item.number or ""), esc(item.unit_name),
               state(item.state), labels["conf"], confidentiality(item.confidentiality),
               labels["channels"], channels, labels["plan"], planned, labels["actions"], actions))
    return mark_safe("\n  ".join(rows))


@register.simple_tag
def bulletin_rows(entries) -> SafeString:
    """``<li>`` per release of a bulletin page (``values()`` rows of
    publication.views.bulletin): subject, correction badge, category, unit,
    release date and views."""
    detail = _link("publication:bulletin-detail")
    badge = '<span class="badge late">%s</span>' % esc(_("有更正或撤回"))
    views = _("浏览 %(n)s")
    return mark_safe("\n  ".join(
        '<li>\n    <a href="%s"><strong>%s</strong></a>\n    %s\n    <br><small class="muted">%s · %s · %s · %s'
        '</small>\n  </li>'
        % (detail(e["pk"]), esc(e["item__subject"]), badge if e["has_correction"] else "",
           esc(e["category__name"] or ""), esc(e["item__unit__name"]), _local(e["first_released_at"], "%Y-%m-%d"),
           esc(views % {"n": e["views"] or 0}))
        for e in entries))
