"""The archive portal: catalogue and search, record pages, downloads,
archiving early, holds, appraisal, the four-property report, disposal."""
import copy
import html
import json
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from infoflow.filters import UnitChoiceField
from infoflow.visibility import items_visible_to
from liaison import audit, preview
from liaison.errors import ArchiveError
from liaison.normalize import AsciiIntegerField
from liaison.redirects import safe_next
from officers.models import ExternalUnit, OrgUnit

from . import catalogue_sql, display, exports, fourprops
from .models import ArchivedRecord, DestructionEntry, DisposalBatch, Hold, Importance, Retention, VerificationRun
from .permissions import can_archive, can_decide_disposal, can_manage, can_see_reports
from .selectors import (
    awaiting_archive,
    catalogue,
    catalogue_table_rows,
    classification_tree,
    failures_visible_to,
    records_past_retention,
    records_visible_to,
    with_total,
)
from .services import archive_item
from .services.checks import run_verification
from .services.paper import can_record_paper_location, record_paper_location
from .services.disposal import (
    appraise_record,
    decide_disposal,
    explain_gap,
    lift_hold,
    propose_disposal,
    set_hold,
    set_named_archivists,
)

PAGE_SIZE = 20


def _attrs_html(attrs):
    """django/forms/widgets/attrs.html in Python."""
    return "".join(
        "" if value is False else (" %s" % escape(name) if value is True else ' %s="%s"' % (escape(name), escape(value)))
        for name, value in attrs.items()
    )


# Widgets whose template is exactly django/forms/widgets/input.html.
PLAIN_INPUTS = {forms.TextInput, forms.NumberInput, forms.HiddenInput, forms.EmailInput}


# (widget class, its attrs, name, value, attrs, choices as text) → HTML; bounded by clearing.
_WIDGET_HTML: dict = {}
_WIDGET_HTML_MAX = 512


def fast_widget_html(widget, name, value, attrs=None):
    """The HTML Django's input and select widget templates make, built in
    Python: the filter form's widgets (a select of every unit, an option an
    included template) cost a fifth of the catalogue page (issue 12). None
    for any other widget, which then renders as usual.

    A select's HTML is a function of its class, attributes, name, value and
    choices (their values and labels as text, so in the request's language)
    and nothing else: it is kept per process under exactly those, the
    choices read once (the units' one query) to make the key."""
    if isinstance(widget, forms.Select) and not widget.allow_multiple_selected:
        choices = list(iter(widget.choices))  # list() alone asks a model choice iterator its len(): a COUNT
        if any(isinstance(label, (list, tuple)) for _v, label in choices):
            return _select_html(widget, name, value, attrs, choices)  # grouped: not kept
        key = (type(widget), tuple(widget.attrs.items()), name, repr(value), tuple((attrs or {}).items()),
               tuple((repr(v), str(label)) for v, label in choices))
        html_ = _WIDGET_HTML.get(key)
        if html_ is None:
            if len(_WIDGET_HTML) >= _WIDGET_HTML_MAX:
                _WIDGET_HTML.clear()
            html_ = _WIDGET_HTML[key] = _select_html(widget, name, value, attrs, choices)
        return html_
    if type(widget) in PLAIN_INPUTS:
        context = widget.get_context(name, value, attrs)["widget"]
        shown = "" if context["value"] is None else ' value="%s"' % escape(context["value"])
        return mark_safe('<input type="%s" name="%s"%s%s>' % (
            escape(context["type"]), escape(context["name"]), shown, _attrs_html(context["attrs"])))
    return None


def _select_html(widget, name, value, attrs, choices):
    """select.html and select_option.html for ``widget`` with ``choices`` (already read)."""
    widget = copy.copy(widget)
    widget.choices = choices
    context = widget.get_context(name, value, attrs)["widget"]
    options = []
    for group_name, group_choices, _index in context["optgroups"]:
        if group_name:
            options.append('\n  <optgroup label="%s">' % escape(group_name))
        for option in group_choices:
            options.append('\n  <option value="%s"%s>%s</option>' % (
                escape(option["value"]), _attrs_html(option["attrs"]), escape(option["label"])))
        if group_name:
            options.append("\n  </optgroup>")
    return mark_safe('<select name="%s"%s>%s\n</select>' % (
        escape(context["name"]), _attrs_html(context["attrs"]), "".join(options)))


class FastWidgetsForm(forms.Form):
    """A form whose plain inputs and selects render through fast_widget_html."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            original = widget.render

            def render(name, value, attrs=None, renderer=None, widget=widget, original=original):
                html = fast_widget_html(widget, name, value, attrs)
                return original(name, value, attrs, renderer) if html is None else html

            widget.render = render


class CatalogueForm(FastWidgetsForm):
    q = forms.CharField(label=_l("检索"), required=False, max_length=100)
    year = AsciiIntegerField(label=_l("年度"), required=False, min_value=1990, max_value=2200)
    # The units read by one plain query (infoflow.filters.UnitChoiceField): a
    # ModelChoiceField reads them through a server-side cursor, three round
    # trips on PostgreSQL (issue 12).
    unit = UnitChoiceField(label=_l("部门"), queryset=OrgUnit.objects.filter(is_active=True).only("id", "name"),
                           required=False, empty_label=_l("全部"))
    unit_type = forms.ChoiceField(label=_l("单位类型"), required=False,
                                  choices=[("", _l("全部"))] + ExternalUnit.Kind.choices)
    importance = forms.ChoiceField(label=_l("重要程度"), required=False, choices=[("", _l("全部"))] + Importance.choices)
    retention_state = forms.ChoiceField(label=_l("保管状态"), required=False, choices=[
        ("", _l("全部")), ("current", _l("保管期内")), ("due", _l("已到期")), ("permanent", _l("永久")),
        ("held", _l("暂停销毁")), ("destroyed", _l("已销毁"))])
    top = forms.CharField(required=False, widget=forms.HiddenInput)
    mid = forms.CharField(required=False, widget=forms.HiddenInput)
    month = forms.CharField(required=False, widget=forms.HiddenInput)


def _catalogue_filters(request):
    """The catalogue form and ``catalogue``'s keyword arguments from its valid, non-empty fields."""
    form = CatalogueForm(request.GET or None)
    filters = {}
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
        if "unit" in filters:
            filters["unit"] = filters["unit"].pk
    return form, filters


def _catalogue_rows(request, visible=None):
    form, filters = _catalogue_filters(request)
    return form, catalogue(request.user, vendor=connection.vendor, visible=visible, **filters)


SENTINEL_PK = 987654321


def url_for_pk(name):
    """A function pk -> the URL of ``name`` for that pk, reversing once:
    one reverse() per row of a long list cost more than the row (issue 12)."""
    pattern = reverse(name, args=[SENTINEL_PK])
    return lambda pk: pattern.replace(str(SENTINEL_PK), str(int(pk)), 1)


def _e(value) -> str:
    """What format_html writes of a plain (not safe) value: Django's escape
    without its lazy-string wrapper, about a third of these rows' time."""
    return html.escape(str(value))


def tree_html(tree):
    """The classification tree's <li> nodes (classification_tree's shape), as
    the template wrote them; built here because a template loop per node cost
    more than the rest of the page (issue 12). ``quote`` is the urlencode
    filter's own call."""
    parts = []
    for top, n, mids in tree:
        top_q = "top=" + quote(top)
        parts.append('<li><a href="?%s">%s</a> <small>(%s)</small>\n      <ul>' % (_e(top_q), _e(top), _e(n)))
        for mid, m, months in mids:
            mid_q = _e(top_q + "&mid=" + quote(mid))
            parts.append('\n        <li><a href="?%s">%s</a> <small>(%s)</small>\n          <ul>' % (mid_q, _e(mid), _e(m)))
            parts.extend('<li><a href="?%s&amp;month=%s">%s</a> <small>(%s)</small></li>' % (
                mid_q, _e(month), _e(month), _e(k)) for month, k in months)
            parts.append("</ul>\n        </li>")
        parts.append("\n      </ul>\n    </li>\n    ")
    return mark_safe("".join(parts))


def one_query_page(rows, number, read=None):
    """Paginator(rows(), PAGE_SIZE).get_page(number), with the page's rows
    and the total read by one query (COUNT(*) OVER (), ``page_total``): the
    visibility join and a search's text match run once instead of twice
    (issue 12). ``rows``: a function giving the page's queryset
    (catalogue_table_rows); ``read(low, high)``: its rows [low:high] with
    their total (with_total), or None: the queryset's are read.
    An empty first page is the paginator's with no further query; past the
    last page it falls back to the paginator."""
    try:
        number = max(int(number), 1)
    except (TypeError, ValueError):
        number = 1
    bottom = (number - 1) * PAGE_SIZE
    fetched = read(bottom, bottom + PAGE_SIZE) if read is not None else None
    if fetched is None:
        fetched = list(with_total(rows())[bottom:bottom + PAGE_SIZE])
    if not fetched and bottom == 0:
        return Paginator([], PAGE_SIZE).get_page(1)  # nothing to count: no rows at all
    paginator = Paginator(rows() if not fetched else fetched, PAGE_SIZE)
    if not fetched:
        return paginator.get_page(number)
    paginator.count = fetched[0].page_total  # the cached_property, set
    page = paginator.page(number)
    page.object_list = fetched
    return page


def catalogue_rows_html(page):
    """The catalogue table's <tr> rows for ``page`` (records carrying ``url``),
    as the template wrote them; built here because a template loop of twelve
    variables a row cost more than the page's queries (issue 12)."""
    labels = [_e(label) for label in (_("归档编号"), _("题名"), _("分类"), _("重要程度"), _("保管期限"), _("状态"))]
    until = _e(_("至"))
    importance = dict(Importance.choices)
    retention = dict(Retention.choices)
    state = dict(ArchivedRecord.State.choices)
    parts = []
    for record in page:
        kept = " <small>（%s %s）</small>" % (until, _e(record.retention_until.strftime("%Y-%m-%d"))) \
            if record.retention_until else ""
        parts.append(
            '\n  <tr>\n    <td data-label="%s"><a href="%s">%s</a></td>\n    <td data-label="%s">%s</td>'
            '\n    <td data-label="%s">%s / %s / %s</td>\n    <td data-label="%s">%s</td>'
            '\n    <td data-label="%s">%s%s</td>\n    <td data-label="%s">%s</td>\n  </tr>' % (
                labels[0], _e(record.url), _e(record.number), labels[1], _e(record.subject),
                labels[2], _e(record.class_top), _e(record.class_mid), _e(record.class_date),
                labels[3], _e(importance.get(record.importance, record.importance)),
                labels[4], _e(retention.get(record.retention, record.retention)), kept,
                labels[5], _e(state.get(record.state, record.state)),
            ))
    if not parts:
        parts.append('\n  <tr><td colspan="6" class="muted">%s</td></tr>' % _e(_("没有符合条件的档案。")))
    return mark_safe("".join(parts))


def pending_html(pending):
    """The <li> of each completed item waiting to be archived (``pending``
    carries archive_url and completed_label), as the template wrote them."""
    label = _e(_("立即归档"))
    return mark_safe("".join(
        '\n  <li>%s %s <small>%s</small>\n    <a href="%s" role="button" class="small">%s</a></li>' % (
            _e(item.number or ""), _e(item.subject), _e(item.completed_label), _e(item.archive_url), label)
        for item in pending
    ))


@login_required
def catalogue_view(request):
    user = request.user
    form, filters = _catalogue_filters(request)
    # One moment and day for the page's three statements (a deputy's
    # delegations, the retention state), compiled once per shape (catalogue_sql).
    moment, today = timezone.now(), timezone.localdate()

    counts = catalogue_sql.run("tree", user, {}, moment, today)

    def read(low, high):
        if counts is None or catalogue_sql.filtered(filters):
            return catalogue_sql.run("rows", user, filters, moment, today, limit=(low, high))
        # No filter: the rows are every record the tree counts, so their
        # total is the tree's and the page is read alone by its index (the
        # window count read every visible record; issue 12).
        fetched = catalogue_sql.run("page", user, filters, moment, today, limit=(low, high))
        total = sum(row[-1] for row in counts)
        for record in fetched:
            record.page_total = total
        return fetched

    def rows():
        return catalogue_table_rows(catalogue(user, vendor=connection.vendor, today=today, **filters))

    page = one_query_page(rows, request.GET.get("page"), read)
    record_url = url_for_pk("archive:record-detail")
    for record in page:
        record.url = record_url(record.pk)
    pending = ()
    if can_archive(user):
        pending = catalogue_sql.run("pending", user, {}, moment, today)
        if pending is None:
            pending = list(awaiting_archive(user))
        archive_url = url_for_pk("archive:archive-now")
        for item in pending:
            item.archive_url = archive_url(item.pk)
            # What |date:"Y-m-d H:i" writes, at a fraction of its cost.
            item.completed_label = (
                timezone.localtime(item.completed_at).strftime("%Y-%m-%d %H:%M") if item.completed_at else ""
            )
    tree = classification_tree(user, counts=counts)
    return render(request, "archive/catalogue.html", {
        "form": form, "page": page, "tree": tree, "tree_html": tree_html(tree), "pending": pending,
        "pending_html": pending_html(pending), "rows_html": catalogue_rows_html(page),
        "can_manage": can_manage(user), "can_reports": can_see_reports(user),
    })


@login_required
def catalogue_xlsx(request):
    _form, rows = _catalogue_rows(request)
    audit.record(audit.Action.EXPORT, request=request, detail="archive catalogue")
    return exports.catalogue_response(rows, user=request.user)


def _visible_record(request, pk):
    record = get_object_or_404(records_visible_to(request.user).select_related("unit", "archived_by"), pk=pk)
    return record


@login_required
def record_detail(request, pk):
    record = _visible_record(request, pk)
    if record.is_restricted:
        audit.record(audit.Action.VIEW_RESTRICTED, request=request, obj=record, detail="archive record")
    # Local times and labels, never the sealed UTC text and codes (archive.display).
    snapshot = display.present(json.loads(record.content)) if record.content else None
    sealed_files = {a.get("index"): a for a in (snapshot or {}).get("attachments", [])}
    files = list(record.files.all())
    for f in files:
        f.purpose_label = (sealed_files.get(f.index) or {}).get("purpose_display") or display.purpose_label(f.purpose)
    return render(request, "archive/record_detail.html", {
        "record": record, "snapshot": snapshot, "files": files,
        "holds": record.holds.select_related("set_by", "lifted_by"),
        "appraisals": record.appraisals.select_related("by"),
        # The paper original's location added after sealing, newest last (issue 19 §8).
        "paper_locations": list(record.paper_locations.select_related("by")),
        "can_record_paper": can_record_paper_location(request.user) and not record.is_destroyed,
        "destruction": DestructionEntry.objects.filter(record=record).first(),
        "can_manage": can_manage(request.user), "retentions": Retention.choices,
        "users": get_user_model().objects.filter(is_active=True).order_by("username") if can_manage(request.user) else (),
    })


@login_required
def file_download(request, pk, index):
    record = _visible_record(request, pk)
    archived = get_object_or_404(record.files, index=index)
    audit.record(audit.Action.DOWNLOAD, request=request, obj=record,
                 detail="archive file %s" % index)  # the file name is content: index only
    # Never a type guessed from the name (an archived "x.html" is not a web page): a download, as items' files.
    return FileResponse(archived.file.open("rb"), as_attachment=True, filename=archived.original_name,
                        content_type="application/octet-stream")


@login_required
def file_preview(request, pk, index):
    """An archived PDF or image shown in the browser, the rules of item previews (liaison.preview):
    sniffed from its bytes, watermarked unless the record is public; anything else downloads."""
    record = _visible_record(request, pk)
    archived = get_object_or_404(record.files, index=index)
    audit.record(audit.Action.DOWNLOAD, request=request, obj=record,
                 detail="archive file %s preview" % index)  # the file name is content: index only
    try:
        with archived.file.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise Http404 from None
    mark = None if record.confidentiality == "public" and not record.is_restricted else preview.watermark_text(
        request.user)
    return preview.preview_response(data=data, filename=archived.original_name, mark=mark)


def _run(request, fn, success):
    try:
        result = fn()
    except ArchiveError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result


class ArchiveNowForm(forms.Form):
    paper_location = forms.CharField(
        label=_l("纸质原件存放位置"), max_length=200, required=False,
        help_text=_l("如有纸质原件，填写存放位置（如“档案室 3 号柜”）。最多 200 字。"),
    )


@login_required
def archive_now(request, item_pk):
    """GET asks first (as 撤回 and 作废 do: sealing cannot be undone), POST
    archives."""
    if not can_archive(request.user):
        raise PermissionDenied(_("只有秘书处可以提前归档；办结的信息到期后会自动归档。"))
    item = get_object_or_404(items_visible_to(request.user), pk=item_pk)
    if request.method != "POST":
        completed = timezone.localtime(item.completed_at).strftime("%Y-%m-%d %H:%M") if item.completed_at else "—"
        return render(request, "infoflow/confirm.html", {
            "item": item, "title": _("立即归档"), "button": _("确认归档"), "danger": False,
            "form": ArchiveNowForm(initial={"paper_location": request.GET.get("paper_location", "")}),
            "back_url": reverse("archive:catalogue"),
            "question": _("归档后档案即加封，内容不能再修改，只能按保管期限鉴定和销毁。确定现在归档这条信息吗？"),
            "details": [(_("信息编号"), item.number or "—"), (_("信息主题"), item.subject), (_("办结时间"), completed)],
        })
    record = _run(request, lambda: archive_item(
        item=item, actor=request.user, paper_location=request.POST.get("paper_location", "").strip()[:200]),
        lambda r: _("信息 %(item)s 已归档，归档编号 %(number)s。") % {"item": item.number, "number": r.number})
    if record is not None:
        return redirect("archive:record-detail", pk=record.pk)
    return redirect(safe_next(request.POST.get("next"), "archive:catalogue"))


@login_required
@require_POST
def hold_set(request, pk):
    record = _visible_record(request, pk)
    _run(request, lambda: set_hold(record=record, actor=request.user, reason=request.POST.get("reason", "")),
         _("已暂停销毁。"))
    return redirect("archive:record-detail", pk=pk)


@login_required
@require_POST
def hold_lift(request, pk):
    hold = get_object_or_404(Hold, pk=pk, record__in=records_visible_to(request.user))
    _run(request, lambda: lift_hold(hold=hold, actor=request.user, reason=request.POST.get("reason", "")),
         _("已解除暂停销毁。"))
    return redirect("archive:record-detail", pk=hold.record_id)


@login_required
@require_POST
def appraise(request, pk):
    record = _visible_record(request, pk)
    _run(request, lambda: appraise_record(record=record, actor=request.user,
                                          new_retention=request.POST.get("retention", ""),
                                          reason=request.POST.get("reason", "")),
         _("鉴定已记录，保管期限已延长。"))
    return redirect("archive:record-detail", pk=pk)


@login_required
@require_POST
def archivists(request, pk):
    record = _visible_record(request, pk)
    users = get_user_model().objects.filter(pk__in=request.POST.getlist("users"), is_active=True)
    _run(request, lambda: set_named_archivists(record=record, actor=request.user, users=list(users)),
         _("已更新指定档案管理员。"))
    return redirect("archive:record-detail", pk=pk)


def _require_reports(user):
    if not can_see_reports(user):
        raise PermissionDenied(_("四性检测报告、到期鉴定和销毁供秘书处、档案管理员、监察和分管领导查看。"))


@login_required
def report(request):
    _require_reports(request.user)
    run = VerificationRun.objects.first()
    if run is None:
        run = VerificationRun.objects.get(pk=_verification_pk())
    failing = {label for label, _m in run.failures}
    # The check's own findings name records too: only those the user may see.
    failures, hidden_failures = failures_visible_to(request.user, run.failures)
    # Only the records the user may see (restricted ones stay with their
    # path, as in the catalogue); the number of the others is said, not shown.
    rows = records_visible_to(request.user).order_by("-year", "-sequence").prefetch_related("files")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    gaps = fourprops.unexplained_gaps()
    return render(request, "archive/report.html", {
        "page": page, "run": run, "rows": list(fourprops.report_rows(page.object_list, failing, gaps)),
        "failures": failures, "hidden_failures": hidden_failures,
        "gaps": sorted(gaps.items()), "can_manage": can_manage(request.user),
        "clamav": fourprops.clamav_configured(),
        "hidden_count": ArchivedRecord.objects.count() - page.paginator.count,
    })


def _verification_pk():
    run_verification(notify=False)
    return VerificationRun.objects.values_list("pk", flat=True).first()


@login_required
@require_POST
def verify_now(request):
    if not can_manage(request.user):
        raise PermissionDenied(_("只有秘书处可以立即校验档案。"))
    result = run_verification(notify=True)
    if result.ok:
        messages.success(request, _("校验通过：%(n)s 件档案。") % {"n": result.records})
    else:
        shown, hidden = failures_visible_to(request.user, result.failures)
        labels = sorted({label for label, _m in shown})
        if hidden:
            labels.append(_("另有 %(n)s 项涉及您无权查看的档案") % {"n": hidden})
        messages.error(request, _("校验未通过：%(list)s。") % {"list": "、".join(labels[:20])})
    return redirect("archive:report")


@login_required
def report_xlsx(request):
    _require_reports(request.user)
    run = VerificationRun.objects.first() or VerificationRun.objects.get(pk=_verification_pk())
    failing = {label for label, _m in run.failures}
    rows = records_visible_to(request.user).order_by("year", "sequence").prefetch_related("files")
    audit.record(audit.Action.EXPORT, request=request, detail="archive four-property report")
    return exports.report_response(fourprops.report_rows(rows.iterator(chunk_size=500), failing,
                                                         fourprops.unexplained_gaps()), user=request.user)


@login_required
@require_POST
def gap_explain(request):
    try:
        year, sequence = int(request.POST.get("year", "")), int(request.POST.get("sequence", ""))
    except ValueError:
        messages.error(request, _("请填写年度和件号。"))
        return redirect("archive:report")
    _run(request, lambda: explain_gap(year=year, sequence=sequence, actor=request.user,
                                      explanation=request.POST.get("explanation", "")), _("断号说明已保存。"))
    return redirect("archive:report")


@login_required
def disposal(request):
    _require_reports(request.user)
    due = records_past_retention().filter(pk__in=records_visible_to(request.user).values("pk")).select_related("unit")
    return render(request, "archive/disposal.html", {
        "due": due[:500], "batches": DisposalBatch.objects.select_related("proposed_by", "decided_by")[:50],
        "can_manage": can_manage(request.user),
        "users": get_user_model().objects.filter(is_active=True).order_by("username"),
    })


@login_required
@require_POST
def disposal_propose(request):
    ids = request.POST.getlist("records")
    User = get_user_model()
    sup = [User.objects.filter(pk=request.POST.get(name) or None).first() for name in ("supervisor_1", "supervisor_2")]
    batch = _run(request, lambda: propose_disposal(
        records=list(records_visible_to(request.user).filter(pk__in=[i for i in ids if i.isdigit()])),
        actor=request.user,
        supervisors=sup, reason=request.POST.get("reason", "")), _("销毁申请已提交，等待分管领导审批。"))
    if batch is not None:
        return redirect("archive:batch-detail", pk=batch.pk)
    return redirect("archive:disposal")


@login_required
def batch_detail(request, pk):
    _require_reports(request.user)
    batch = get_object_or_404(DisposalBatch.objects.select_related(
        "proposed_by", "decided_by", "supervisor_1", "supervisor_2"), pk=pk)
    if request.method == "POST":
        approve = request.POST.get("decision") == "approve"
        _run(request, lambda: decide_disposal(batch=batch, actor=request.user, approve=approve,
                                              note=request.POST.get("note", "")),
             _("已批准，档案内容已销毁，销毁清册已记录。") if approve else _("已不批准该销毁申请。"))
        return redirect("archive:batch-detail", pk=pk)
    visible = records_visible_to(request.user).values("pk")
    return render(request, "archive/batch_detail.html", {
        "batch": batch, "records": batch.records.filter(pk__in=visible).order_by("number"),
        "hidden_count": batch.records.exclude(pk__in=visible).count(),
        "entries": batch.entries.filter(record__in=visible),
        "can_decide": can_decide_disposal(request.user) and request.user.pk != batch.proposed_by_id,
    })


@login_required
def destruction_xlsx(request):
    _require_reports(request.user)
    audit.record(audit.Action.EXPORT, request=request, detail="destruction list")
    return exports.destruction_response(
        DestructionEntry.objects.filter(record__in=records_visible_to(request.user).values("pk")).order_by("position"),
        user=request.user)


@login_required
@require_POST
def paper_location(request, pk):
    """Record or correct where the paper original is, as a sealed addition."""
    record = _visible_record(request, pk)
    if not can_record_paper_location(request.user):
        raise PermissionDenied(_("只有秘书处或档案管理员可以登记纸质原件存放位置。"))
    _run(request, lambda: record_paper_location(record=record, actor=request.user,
                                                location=request.POST.get("location", ""),
                                                reason=request.POST.get("reason", "")),
         _("纸质原件存放位置已登记（封存追加，不改动原档案）。"))
    return redirect("archive:record-detail", pk=pk)
