"""The rows of the list tables, written in Python (issue 12).

A list page's rows were most of its time: about 40 template nodes a row
(``{% trans %}`` of every cell's label, ``{% url %}``, includes, filters),
some 1,900 nodes for 20 rows. These tags write the same HTML the templates
wrote — the page templates keep the head, the filters and the layout — with
the constant texts translated once per page and each link built from one
``reverse``. They read only the fields the selectors load
(``selectors.ITEM_TABLE_FIELDS``, ``REVIEW_FIELDS``, the receiver inbox's
joins, ``ontime.overdue_steps``/``overdue_receivers``), so the query counts
of tests/infoflow/test_list_queries.py still hold.

Every value from the database is escaped (``conditional_escape``); dates
are shown in the current time zone as ``Y-m-d H:i``, as the ``date`` filter
did.
"""
from django import template
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape as esc
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from liaison.data_labels import label as data_label

from ..filters import fields_html
from ..models import Item, Receiver, Urgency
from ..ontime import RECEIPT

register = template.Library()

_PK = 987654321  # a number no URL pattern part holds: split out of one reverse


def _link(name, count=1):
    """A function of ``count`` ids giving the URL of ``name``: one reverse a page."""
    parts = reverse(name, args=[_PK + n for n in range(count)])
    pieces = []
    for n in range(count):
        head, parts = parts.split(str(_PK + n), 1)
        pieces.append(head)
    pieces.append(parts)
    template_ = "%s".join(piece.replace("%", "%%") for piece in pieces)
    return lambda *ids: template_ % ids


def _when(value):
    """``value|date:"Y-m-d H:i"`` in the current time zone; "" for None."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _person(user):
    return esc(user.get_full_name() or user.username)


def _choices(choices):
    return {value: esc(str(label)) for value, label in choices}


def _urgency(urgency, names):
    """infoflow/_urgency.html (its trailing newline included)."""
    name = names.get(urgency, esc(urgency))
    if urgency != "normal":
        return '<span class="badge %s">%s</span>\n' % (esc(urgency), name)
    return '<span class="badge">%s</span>\n' % name


def _csrf(context):
    return CsrfTokenNode().render(context)



# Column labels, marked for makemessages here and translated once a page.
ITEM_COLUMNS = (
    gettext_noop("信息编号"),
    gettext_noop("信息主题"),
    gettext_noop("发起部门"),
    gettext_noop("紧急程度"),
    gettext_noop("处理状态"),
    gettext_noop("发起时间"),
    gettext_noop("预计反馈时间"),
    gettext_noop("反馈"),
)
REVIEW_COLUMNS = (
    gettext_noop("审核时限"),
    gettext_noop("信息"),
    gettext_noop("发起部门"),
    gettext_noop("紧急程度"),
    gettext_noop("环节"),
    gettext_noop("操作"),
)
RECEIVED_COLUMNS = (
    gettext_noop("时限"),
    gettext_noop("信息"),
    gettext_noop("接收方"),
    gettext_noop("紧急程度"),
    gettext_noop("状态"),
    gettext_noop("操作"),
)
ONTIME_COLUMNS = (
    gettext_noop("部门"),
    gettext_noop("审核（按时/总数）"),
    gettext_noop("审核按时率"),
    gettext_noop("反馈（按时/总数）"),
    gettext_noop("反馈按时率"),
)
OVERDUE_STEP_COLUMNS = (
    gettext_noop("逾期事项"),
    gettext_noop("信息"),
    gettext_noop("发起部门"),
    gettext_noop("环节"),
)
OVERDUE_RECEIVER_COLUMNS = (
    gettext_noop("逾期事项"),
    gettext_noop("信息"),
    gettext_noop("发起部门"),
    gettext_noop("接收方"),
    gettext_noop("状态"),
)


def _translated(keys: tuple) -> dict:
    """{Chinese label: escaped label in the request's language} for ``keys``."""
    return {key: esc(_(key)) for key in keys}


@register.simple_tag(takes_context=True)
def item_rows(context, page, now):
    """The rows of infoflow/_item_table.html ("my items")."""
    detail = _link("infoflow:item-detail")
    labels = _translated(ITEM_COLUMNS)
    draft, restricted, late = esc(_("（草稿）")), esc(_("限定范围")), esc(_("已逾期"))
    urgencies, states = _choices(Urgency.choices), _choices(Item.State.choices)
    out = []
    for item in page:
        expected = item.expected_feedback_at
        if expected:
            expected_html = _when(expected)
            if item.state == "transmitted" and expected < now:
                expected_html += ' <span class="badge late">%s</span>' % late
        else:
            expected_html = "—"
        total = getattr(item, "receivers_total", None)
        out.append(
            '\n  <tr>\n'
            '    <td data-label="%s">%s</td>\n'
            '    <td data-label="%s"><a href="%s">%s</a>%s</td>\n'
            '    <td data-label="%s">%s<br><small class="muted">%s</small></td>\n'
            '    <td data-label="%s">%s</td>\n'
            '    <td data-label="%s">%s</td>\n'
            '    <td data-label="%s">%s</td>\n'
            '    <td data-label="%s">%s</td>\n'
            '    <td data-label="%s">%s</td>\n'
            '  </tr>\n  ' % (
                labels["信息编号"], esc(item.number) if item.number else draft,
                labels["信息主题"], detail(item.pk), esc(item.subject),
                ' <span class="badge late">%s</span>' % restricted if item.confidentiality == "restricted" else "",
                labels["发起部门"], esc(item.unit.name), _person(item.initiator),
                labels["紧急程度"], _urgency(item.urgency, urgencies),
                labels["处理状态"], states.get(item.state, esc(item.state)),
                labels["发起时间"], _when(item.submitted_at) or "—",
                labels["预计反馈时间"], expected_html,
                labels["反馈"], "%s/%s" % (item.receivers_answered, total) if total else "—",
            )
        )
    if not out:
        empty = context.get("empty_text") or _("没有符合条件的信息。")
        out.append('\n  <tr><td colspan="8" class="muted">%s</td></tr>\n  ' % esc(empty))
    return mark_safe("".join(out))


@register.simple_tag(takes_context=True)
def review_rows(context, page, now):
    """The rows of infoflow/review_inbox.html."""
    detail = _link("infoflow:item-detail")
    review, take = _link("infoflow:review", 2), _link("infoflow:take", 2)
    labels = _translated(REVIEW_COLUMNS)
    late, review_text, take_text = esc(_("已逾期")), esc(_("审核")), esc(_("领取"))
    urgencies = _choices(Urgency.choices)
    csrf = None
    out = []
    for step in page:
        item = step.item
        due = step.due_at
        due_html = _when(due) or "—"
        if due and due < now:
            due_html += ' <span class="badge late">%s</span>' % late
        stage = esc(data_label(step.name))
        if step.review_round > 1:
            stage += ' <small class="muted">%s</small>' % esc(_("第 %(n)s 轮") % {"n": step.review_round})
        if step.my_taken_at or step.decider != "secretariat_pool":
            action = ('\n      <a href="%s" role="button" class="small">%s</a>\n      '
                      % (review(item.pk, step.pk), review_text))
        else:
            if csrf is None:
                csrf = _csrf(context)
            action = ('\n      <form method="post" action="%s" class="inline">%s<button type="submit" class="small">'
                      '%s</button></form>\n      ' % (take(item.pk, step.pk), csrf, take_text))
        out.append(
            '\n  <tr>\n'
            '    <td data-label="%s">%s</td>\n'
            '    <td data-label="%s"><a href="%s">%s %s</a></td>\n'
            '    <td data-label="%s">%s · %s</td>\n'
            '    <td data-label="%s">%s</td>\n'
            '    <td data-label="%s">%s</td>\n'
            '    <td data-label="%s">\n      %s\n    </td>\n'
            '  </tr>\n  ' % (
                labels["审核时限"], due_html,
                labels["信息"], detail(item.pk), esc(item.number), esc(item.subject),
                labels["发起部门"], esc(item.unit.name), _person(item.initiator),
                labels["紧急程度"], _urgency(item.urgency, urgencies),
                labels["环节"], stage,
                labels["操作"], action,
            )
        )
    if not out:
        out.append('\n  <tr><td colspan="6" class="muted">%s</td></tr>\n  ' % esc(_("目前没有待您审核的信息。")))
    return mark_safe("".join(out))


@register.simple_tag(takes_context=True)
def receiver_rows(context, page, now):
    """The rows of infoflow/receiver_inbox.html."""
    detail = _link("infoflow:item-detail")
    acknowledge, answer, question = (_link("infoflow:" + name, 2) for name in ("acknowledge", "answer", "question"))
    labels = _translated(RECEIVED_COLUMNS)
    late, receipt, feedback = esc(_("已逾期")), esc(_("签收")), esc(_("反馈"))
    open_question, ask = esc(_("有待答复的疑问")), esc(_("疑问/协调"))
    urgencies, states = _choices(Urgency.choices), _choices(Receiver.State.choices)
    late_badge = ' <span class="badge late">%s</span>' % late
    csrf = None
    out = []
    for receiver in page:
        item = receiver.item
        sent = receiver.state == "sent"
        when = ""
        if sent:
            response_due = receiver.response_due_at
            when = "%s %s%s<br>" % (receipt, _when(response_due) or "—",
                                    late_badge if response_due and response_due < now else "")
        answer_due = receiver.answer_due_at
        when += "\n      %s %s%s" % (feedback, _when(answer_due) or "—",
                                     late_badge if receiver.state != "answered" and answer_due and answer_due < now
                                     else "")
        # The cell's text as the template had it: its two {% if %} blocks
        # each framed by the line breaks around them.
        actions = "\n      "
        if sent:
            if csrf is None:
                csrf = _csrf(context)
            actions += ('\n      <form method="post" action="%s" class="inline">%s<input type="hidden" name="next" '
                        'value="inbox"><button type="submit" class="small">%s</button></form>\n      '
                        % (acknowledge(item.pk, receiver.pk), csrf, receipt))
        actions += "\n      "
        if receiver.state != "answered":
            actions += ('\n      <a href="%s" role="button" class="small">%s</a>\n      <a href="%s" role="button" '
                        'class="small secondary outline">%s</a>\n      '
                        % (answer(item.pk, receiver.pk), feedback, question(item.pk, receiver.pk), ask))
        out.append(
            '\n  <tr>\n'
            '    <td data-label="%s">\n      %s\n    </td>\n'
            '    <td data-label="%s"><a href="%s">%s %s</a><br><small class="muted">%s · %s</small></td>\n'
            '    <td data-label="%s">%s</td>\n'
            '    <td data-label="%s">%s</td>\n'
            '    <td data-label="%s">%s%s</td>\n'
            '    <td data-label="%s" class="actions">%s\n    </td>\n'
            '  </tr>\n  ' % (
                labels["时限"], when,
                labels["信息"], detail(item.pk), esc(item.number), esc(item.subject), esc(item.unit.name),
                _person(item.initiator),
                labels["接收方"], esc(receiver.label),
                labels["紧急程度"], _urgency(item.urgency, urgencies),
                labels["状态"], states.get(receiver.state, esc(receiver.state)),
                ' <span class="badge urgent">%s</span>' % open_question if receiver.has_open_question else "",
                labels["操作"], actions,
            )
        )
    if not out:
        out.append('\n  <tr><td colspan="6" class="muted">%s</td></tr>\n  ' % esc(_("目前没有待您签收或反馈的信息。")))
    return mark_safe("".join(out))


@register.simple_tag
def filter_fields(form):
    """The labelled fields of infoflow/_filters.html (``filters.fields_html``)."""
    return mark_safe(fields_html(form))


# --- the on-time page (infoflow/ontime.html) ----------------------------------


def _rate(rate, loc=localize):
    return "—" if rate is None else "%s%%" % loc(rate)


def _localize_once():
    """``localize`` remembering its answers for one call of a tag (one
    language): the rates table formats 50 departments' six figures, most of
    them the same few numbers, and each ``localize`` looks up the language's
    number formats again (about a tenth of the on-time page's Python; issue 12)."""
    seen = {}

    def loc(value):
        key = (type(value), value)  # 1, 1.0 and True are equal keys but format apart
        if key not in seen:
            seen[key] = localize(value)
        return seen[key]
    return loc


@register.simple_tag
def ontime_unit_rows(units):
    """The rows of the per-department rates."""
    labels = _translated(ONTIME_COLUMNS)
    loc = _localize_once()
    out = [
        '\n    <tr>\n'
        '      <td data-label="%s">%s</td>\n'
        '      <td data-label="%s">%s/%s</td>\n'
        '      <td data-label="%s">%s</td>\n'
        '      <td data-label="%s">%s/%s</td>\n'
        '      <td data-label="%s">%s</td>\n'
        '    </tr>\n    ' % (
            labels["部门"], esc(u.name),
            labels["审核（按时/总数）"], loc(u.review_on_time), loc(u.review_total),
            labels["审核按时率"], _rate(u.review_rate, loc),
            labels["反馈（按时/总数）"], loc(u.feedback_on_time), loc(u.feedback_total),
            labels["反馈按时率"], _rate(u.feedback_rate, loc),
        )
        for u in units
    ]
    if not out:
        out.append('\n    <tr><td colspan="5" class="muted">%s</td></tr>\n    ' % esc(_("该期间没有需统计的审核或反馈。")))
    return mark_safe("".join(out))


def _overdue_item(item, detail, restricted):
    """The item cell: its number linked, its subject unless restricted."""
    tail = (" %s" % esc(item.subject) if item.confidentiality != "restricted"
            else ' <small class="muted">%s</small>' % restricted)
    return '<a href="%s">%s</a>%s' % (detail(item.pk), esc(item.number), tail)


@register.simple_tag
def overdue_step_rows(steps):
    """The rows of the overdue reviews (``ontime.overdue_steps``)."""
    detail = _link("infoflow:item-detail")
    labels = _translated(OVERDUE_STEP_COLUMNS)
    late, restricted = esc(_("已逾期")), esc(_("（限定范围）"))
    out = [
        '\n    <tr>\n'
        '      <td data-label="%s">%s <span class="badge late">%s</span></td>\n'
        '      <td data-label="%s">%s</td>\n'
        '      <td data-label="%s">%s</td>\n'
        '      <td data-label="%s">%s</td>\n'
        '    </tr>\n    ' % (
            labels["逾期事项"], esc(_("审核时限 %(due)s") % {"due": _when(step.due_at)}), late,
            labels["信息"], _overdue_item(step.item, detail, restricted),
            labels["发起部门"], esc(step.item.unit.name),
            labels["环节"], esc(data_label(step.name)),
        )
        for step in steps
    ]
    if not out:
        out.append('\n    <tr><td colspan="4" class="muted">%s</td></tr>\n    ' % esc(_("目前没有逾期的审核。")))
    return mark_safe("".join(out))


@register.simple_tag
def overdue_receiver_rows(receivers):
    """The rows of the overdue receipts and answers (``ontime.overdue_receivers``,
    each with its ``overdue`` duties)."""
    detail = _link("infoflow:item-detail")
    labels = _translated(OVERDUE_RECEIVER_COLUMNS)
    late, restricted = esc(_("已逾期")), esc(_("（限定范围）"))
    states = _choices(Receiver.State.choices)
    out = []
    for r in receivers:
        duties = "<br>".join(
            '<span class="overdue-duty">%s <span class="badge late">%s</span></span>' % (
                esc((_("签收时限 %(due)s") if duty.what == RECEIPT else _("反馈时限 %(due)s")) % {"due": _when(duty.due_at)}),
                late)
            for duty in r.overdue
        )
        out.append(
            '\n    <tr>\n'
            '      <td data-label="%s">%s</td>\n'
            '      <td data-label="%s">%s</td>\n'
            '      <td data-label="%s">%s</td>\n'
            '      <td data-label="%s">%s</td>\n'
            '      <td data-label="%s">%s</td>\n'
            '    </tr>\n    ' % (
                labels["逾期事项"], duties,
                labels["信息"], _overdue_item(r.item, detail, restricted),
                labels["发起部门"], esc(r.item.unit.name),
                labels["接收方"], esc(r.label),
                labels["状态"], states.get(r.state, esc(r.state)),
            )
        )
    if not out:
        out.append('\n    <tr><td colspan="5" class="muted">%s</td></tr>\n    ' % esc(_("目前没有逾期的签收或反馈。")))
    return mark_safe("".join(out))
