"""Pages of data calls (contract: ``/calls/`` lists calls, ``/calls/<id>/``
shows one occurrence's matrix, ``/calls/<id>/workbook.xlsx`` its consolidated
workbook). Views are thin: they fetch through the selectors (a call or answer
outside them is a 404), parse input, call one service and turn its error into
a message."""
from __future__ import annotations

import os
import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from liaison.errors import AnswerInvalid, DataCallError
from liaison.paging import count_then_page
from officers.roles import roles_of

from . import services, summary, workbook
from .forms import CallForm, raw_from_post
from .models import Answer, AnswerFile, Occurrence
from .selectors import (
    answering_unit_ids,
    answers_visible_to,
    calls_visible_to,
    flags_visible_to,
    manages_calls,
    occurrences_visible_to,
    own_first,
    sees_flags,
    unit_ids_of,
)
from .values import display

PAGE = 20
GRID_PERIODS = 6  # periods shown side by side on the series page
FILTERS = ("out", "late", "in", "returned", "missed")


def _fail(request, error: DataCallError) -> None:
    messages.error(request, str(error))
    for message in getattr(error, "errors", {}).values():
        messages.error(request, message)


@login_required
def call_list(request):
    """Occurrences the user may open, newest due first; an officer sees the
    state of their own unit's answer on each."""
    visible = occurrences_visible_to(request.user)
    query = (request.GET.get("q") or "").strip()
    if query:
        visible = visible.filter(call__title__icontains=query)
    if request.GET.get("open") == "1":
        visible = visible.filter(closed_at__isnull=True)
    mine = unit_ids_of(request.user)

    def rows(found):
        # One row an occurrence, as ``visible`` has: its count is the list's.
        return (found.select_related("call")
                .annotate(total=Count("answers", distinct=True),
                          answered=Count("answers", filter=Q(answers__state__in=Answer.IN_STATES), distinct=True))
                .prefetch_related(Prefetch("answers", queryset=Answer.objects.filter(unit_id__in=mine)
                                           .select_related("unit"), to_attr="mine"))
                .order_by("closed_at", "-due_at", "-pk"))

    page = count_then_page(request, visible, PAGE, rows)
    return render(request, "datacalls/call_list.html", {
        "page": page, "query": query, "now": timezone.now(), "manages": manages_calls(request.user),
        "sees_flags": sees_flags(request.user),
    })


@login_required
def call_form(request, pk=None):
    call = None
    if pk is not None:
        call = get_object_or_404(calls_visible_to(request.user), pk=pk)
    if not manages_calls(request.user) and not (call and call.created_by_id == request.user.pk):
        raise PermissionDenied
    form = CallForm(request.POST or None, request.FILES or None, instance=call)
    if request.method == "POST" and form.is_valid():
        try:
            if call is None:
                call = services.create_call(actor=request.user, data=form.service_data(),
                                            units=form.cleaned_data["units"], viewers=form.cleaned_data["viewers"])
            else:
                call = services.update_call(call=call, actor=request.user, data=form.service_data(),
                                            units=form.cleaned_data["units"], viewers=form.cleaned_data["viewers"])
        except DataCallError as error:
            _fail(request, error)
        else:
            messages.success(request, _("报送任务已保存。"))
            return redirect("datacalls:series", pk=call.pk)
    return render(request, "datacalls/call_form.html", {"form": form, "call": call})


@login_required
def series(request, pk):
    """A call: its definition and its occurrences."""
    call = get_object_or_404(calls_visible_to(request.user), pk=pk)
    occurrences = occurrences_visible_to(request.user).filter(call=call).annotate(
        total=Count("answers", distinct=True),
        answered=Count("answers", filter=Q(answers__state__in=Answer.IN_STATES), distinct=True),
    ).order_by("-period_start")
    occurrences = list(occurrences)
    return render(request, "datacalls/series.html", {
        "call": call, "occurrences": occurrences, "fields": services.fields_of(call),
        "manages": manages_calls(request.user) or call.created_by_id == request.user.pk,
        "grid_periods": occurrences[:GRID_PERIODS][::-1], "grid": _grid(request.user, occurrences[:GRID_PERIODS]),
        "now": timezone.now(),
    })


def _grid(user, occurrences) -> list:
    """Units × the latest periods: [(unit, [answer or None per period, oldest first])], the user's
    own units first. One query whatever the number of units."""
    periods = [o.pk for o in occurrences][::-1]
    answers = own_first(answers_visible_to(user).filter(occurrence_id__in=periods), user).select_related(
        "unit", "occurrence")
    rows: dict = {}
    for answer in answers:
        rows.setdefault(answer.unit_id, (answer.unit, {}))[1][answer.occurrence_id] = answer
    return [(unit, [by_period.get(pk) for pk in periods]) for unit, by_period in rows.values()]


@login_required
@require_POST
def series_action(request, pk, action):
    call = get_object_or_404(calls_visible_to(request.user), pk=pk)
    try:
        if action == "send":
            services.send_call(call=call, actor=request.user)
            messages.success(request, _("报送任务已下发。"))
        else:
            services.end_call(call=call, actor=request.user)
            messages.success(request, _("报送任务已停止。"))
    except DataCallError as error:
        _fail(request, error)
    return redirect("datacalls:series", pk=call.pk)


def _occurrence(request, pk) -> Occurrence:
    return get_object_or_404(occurrences_visible_to(request.user).select_related("call"), pk=pk)


@login_required
def occurrence(request, pk):
    """The matrix: one row per recipient unit visible to the user (the own
    unit first), with status, time and late mark; filters; a unit's history
    across the call's occurrences. A fixed number of queries at any size."""
    occ = _occurrence(request, pk)
    answers = answers_visible_to(request.user).filter(occurrence=occ).select_related("unit", "submitted_by")
    counts = answers.aggregate(
        total=Count("pk"), answered=Count("pk", filter=Q(state__in=Answer.IN_STATES)),
        late=Count("pk", filter=Q(late=True)), returned=Count("pk", filter=Q(state=Answer.State.RETURNED)),
        missed=Count("pk", filter=Q(state=Answer.State.MISSED)),
    )
    status = request.GET.get("status", "")
    if status == "out":
        answers = answers.filter(state__in=Answer.OPEN_STATES)
    elif status == "late":
        answers = answers.filter(Q(late=True) | Q(state__in=Answer.OPEN_STATES, occurrence__due_at__lt=timezone.now()))
    elif status == "in":
        answers = answers.filter(state__in=Answer.IN_STATES)
    elif status in ("returned", "missed"):
        answers = answers.filter(state=status)
    history, history_unit = None, None
    unit_param = request.GET.get("unit", "")
    if unit_param.isdigit():
        history = list(
            answers_visible_to(request.user).filter(occurrence__call_id=occ.call_id, unit_id=int(unit_param))
            .select_related("occurrence", "unit").order_by("-occurrence__period_start")
        )
        history_unit = history[0].unit if history else None
    return render(request, "datacalls/occurrence.html", {
        "occ": occ, "call": occ.call, "answers": own_first(answers, request.user), "counts": counts,
        "status": status, "history": history, "history_unit": history_unit, "now": timezone.now(),
        "manages": manages_calls(request.user) or occ.call.created_by_id == request.user.pk,
        "mine": unit_ids_of(request.user),
    })


@login_required
@require_POST
def occurrence_action(request, pk, action):
    occ = _occurrence(request, pk)
    ids = None if request.POST.get("all") else [int(i) for i in request.POST.getlist("unit") if i.isdigit()]
    if ids == []:
        messages.error(request, _("请先勾选要提醒的单位，或点击“提醒全部未报送单位”。"))
        return redirect("datacalls:occurrence", pk=occ.pk)
    try:
        n = services.remind_units(occurrence=occ, actor=request.user, unit_ids=ids)
        messages.success(request, _("已提醒 %(n)s 个单位。") % {"n": n})
    except DataCallError as error:
        _fail(request, error)
    return redirect("datacalls:occurrence", pk=occ.pk)


@login_required
def occurrence_close(request, pk):
    """结束本期: GET asks first (what closing does, how many units are still
    out), POST closes through services.close_occurrence."""
    occ = _occurrence(request, pk)
    if not (manages_calls(request.user) or occ.call.created_by_id == request.user.pk) or occ.closed_at:
        raise Http404
    back = reverse("datacalls:occurrence", args=[occ.pk])
    if request.method == "POST":
        try:
            services.close_occurrence(occurrence=occ, actor=request.user)
            messages.success(request, _("本期报送已结束，未报送的单位记为缺报。"))
        except DataCallError as error:
            _fail(request, error)
        return redirect(back)
    out = occ.answers.filter(state__in=Answer.OPEN_STATES).count()
    return render(request, "infoflow/confirm.html", {
        "title": _("结束本期"), "back_url": back, "danger": True, "button": _("确认结束"),
        "question": _("结束后不能再报送；还未报送的 %(n)s 个单位将记为缺报，并计入连续缺报的更换提议。确定结束“%(title)s（%(period)s）”吗？")
        % {"n": out, "title": occ.call.title, "period": occ.period},
    })


def _answer_rows(request, occ):
    """AnswerRows (unit name, status, submitted at, late, values) of the
    units the user sees, one per unit in the matrix's order."""
    answers = answers_visible_to(request.user).filter(occurrence=occ).select_related("unit").order_by(
        "unit__sort_order", "unit__code")
    for a in answers.iterator(chunk_size=500):
        answered = a.state in Answer.IN_STATES  # a returned answer is not in (its old time neither)
        yield (a.unit.name, a.get_state_display(), a.submitted_at if answered else None, a.late and answered,
               a.values if answered else {})


def _summary(request, occ):
    fields = services.fields_of(occ.call)
    expected = list(answers_visible_to(request.user).filter(occurrence=occ).order_by(
        "unit__sort_order", "unit__code").values_list("unit__name", flat=True))
    return fields, summary.summarise(fields, _answer_rows(request, occ), expected)


@login_required
def occurrence_summary(request, pk):
    occ = _occurrence(request, pk)
    fields, result = _summary(request, occ)
    return render(request, "datacalls/summary.html", {"occ": occ, "call": occ.call, "summary": result,
                                                      "fields": fields})


@login_required
def occurrence_workbook(request, pk):
    """The consolidated workbook, streamed from a temporary file (exports
    follow the call's visibility: a user who sees only their own unit gets
    only its row)."""
    occ = _occurrence(request, pk)
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    who = request.user.get_full_name() or request.user.username
    watermark = "%s 内部资料 · 导出人：%s · 导出时间：%s" % (settings.ORGANISATION_NAME, who, stamp)
    out = tempfile.TemporaryFile()
    workbook.write_consolidation(
        out, title="%s（%s）" % (occ.call.title, occ.period), fields=services.fields_of(occ.call),
        template=occ.call.template_spec, answers=_answer_rows(request, occ), watermark=watermark, summary=None,
    )
    out.seek(0)
    name = "datacall-%s-%s.xlsx" % (occ.call_id, occ.period)
    return FileResponse(out, as_attachment=True, filename=name,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# --- answers ------------------------------------------------------------------------


def _field_rows(fields, values_, blank=3):
    """What the answer page shows for each field: the spec, the stored value,
    its display text and, for tables, the rows to edit (stored plus 3 empty)."""
    out = []
    for spec in fields:
        value = values_.get(spec["key"])
        rows = []
        if spec["type"] == "table":
            rows = [dict(r) for r in (value or [])] + [{} for _ in range(blank)]
            rows = [[(c, r.get(c["key"], "")) for c in spec["columns"]] for r in rows]
        out.append({"spec": spec, "value": value, "text": display(spec, value), "rows": rows})
    return out


@login_required
def answer(request, pk):
    """A unit's answer: read it, or (the unit's officers and head) fill it
    online, upload the template, save a draft or submit."""
    ans = get_object_or_404(answers_visible_to(request.user).select_related("occurrence__call", "unit"), pk=pk)
    call = ans.occurrence.call
    fields = services.fields_of(call)
    may_answer = (ans.unit_id in answering_unit_ids(request.user) and ans.occurrence.closed_at is None
                  and ans.state in (Answer.State.PENDING, Answer.State.DRAFT, Answer.State.RETURNED))
    errors = {}
    raw = None
    if request.method == "POST":
        action = request.POST.get("action", "draft")
        try:
            if action == "upload":
                upload = request.FILES.get("template_file")
                if upload is None:
                    raise AnswerInvalid(_("请选择填好的 Excel 模板文件。"))
                services.upload_template(answer=ans, actor=request.user, upload=upload,
                                         submit=request.POST.get("submit") == "1")
            else:
                raw = raw_from_post(fields, request.POST, ans.values)
                for spec in fields:
                    upload = request.FILES.get(spec["key"]) if spec["type"] == "file" else None
                    if upload is not None and may_answer:
                        raw[spec["key"]] = services.store_file(answer=ans, actor=request.user, upload=upload)
                if action == "submit":
                    services.submit_answer(answer=ans, actor=request.user, raw=raw)
                else:
                    services.save_draft(answer=ans, actor=request.user, raw=raw)
        except DataCallError as error:
            messages.error(request, str(error))
            errors = getattr(error, "errors", {})
        else:
            ans.refresh_from_db()
            messages.success(request, {
                Answer.State.DRAFT: _("已保存草稿。"), Answer.State.REVIEWING: _("已提交部门负责人审核。"),
            }.get(ans.state, _("已报送。")))
            return redirect("datacalls:answer", pk=ans.pk)
    shown = dict(ans.values)
    if raw:
        shown.update({k: v for k, v in raw.items() if isinstance(v, (str, list))})
    history = list(
        answers_visible_to(request.user).filter(occurrence__call_id=call.pk, unit_id=ans.unit_id)
        .exclude(pk=ans.pk).select_related("occurrence").order_by("-occurrence__period_start")[:12]
    )
    return render(request, "datacalls/answer.html", {
        "ans": ans, "occ": ans.occurrence, "call": call, "rows": _field_rows(fields, shown, 3 if may_answer else 0), "errors": errors,
        "cell_errors": [m for k, m in errors.items() if k not in {f["key"] for f in fields}],
        "may_answer": may_answer, "history": history, "now": timezone.now(), "trail": _trail(ans),
        "may_review": ans.state == Answer.State.REVIEWING and ans.unit_id in roles_of(request.user).headed_unit_ids,
        "manages": manages_calls(request.user) or call.created_by_id == request.user.pk,
    })


# What each history row of an answer records (the services' change reasons), in words.
TRAIL_LABELS = {
    "open": gettext_noop("下发"),
    "draft": gettext_noop("保存草稿"),
    "to_review": gettext_noop("提交单位负责人审核"),
    "submit": gettext_noop("报送"),
    "upload": gettext_noop("上传填报模板"),
    "approve": gettext_noop("单位负责人审核通过并报送"),
    "head_return": gettext_noop("单位负责人退回"),
    "return": gettext_noop("秘书处退回"),
    "accept": gettext_noop("秘书处确认"),
    "missed": gettext_noop("记为缺报"),
}


def _trail(ans) -> list[dict]:
    """The answer's own history, newest first: {"at", "by", "what", "reason"}
    (the reason given when it was returned). One query."""
    rows = []
    for h in ans.history.select_related("history_user").order_by("-history_date", "-history_id")[:50]:
        label = TRAIL_LABELS.get(h.history_change_reason or "")
        user = h.history_user
        rows.append({
            "at": h.history_date,
            "by": (user.get_full_name() or user.get_username()) if user else _("系统"),
            "what": _(label) if label else (h.history_change_reason or ""),
            "reason": h.return_reason if h.history_change_reason in ("return", "head_return") else "",
        })
    return rows


@login_required
@require_POST
def answer_action(request, pk, action):
    ans = get_object_or_404(answers_visible_to(request.user), pk=pk)
    reason = request.POST.get("reason", "")
    try:
        if action == "return":
            services.return_answer(answer=ans, actor=request.user, reason=reason)
            messages.success(request, _("已退回。"))
        elif action == "accept":
            services.accept_answer(answer=ans, actor=request.user)
            messages.success(request, _("已确认。"))
        elif action == "approve":
            services.review_answer(answer=ans, actor=request.user, approve=True)
            messages.success(request, _("已审核通过并报送。"))
        else:
            services.review_answer(answer=ans, actor=request.user, approve=False, reason=reason)
            messages.success(request, _("已退回。"))
    except DataCallError as error:
        _fail(request, error)
    return redirect("datacalls:answer", pk=ans.pk)


@login_required
def flags(request):
    """Replacement flags (seed 003): the unit's head and HR."""
    rows = flags_visible_to(request.user).select_related("unit", "call", "officer__user").prefetch_related(
        "occurrences")
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    return render(request, "datacalls/flags.html", {"page": page})


# --- downloads (never served from MEDIA_URL: each goes through the selectors) ------


def _download(field_file, name):
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/octet-stream")


@login_required
def call_file(request, pk, kind):
    """The call's attachment or blank template, for those who see the call."""
    call = get_object_or_404(calls_visible_to(request.user), pk=pk)
    field_file = call.attachment if kind == "attachment" else call.template
    return _download(field_file, os.path.basename(field_file.name or "file"))


@login_required
def answer_file(request, pk):
    """The template a unit uploaded, for those who see the answer."""
    ans = get_object_or_404(answers_visible_to(request.user), pk=pk)
    return _download(ans.file, os.path.basename(ans.file.name or "file"))


@login_required
def field_file(request, pk):
    """A file given for a ``file`` field, for those who see its answer."""
    row = get_object_or_404(AnswerFile.objects.filter(answer__in=answers_visible_to(request.user)), pk=pk)
    return _download(row.file, row.name)
