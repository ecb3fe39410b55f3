"""Pages of the suggestion box. Thin: fetch through a selector, validate
with a form, call one service, turn its error into a message.

The contract fixes ``/suggestions/new/`` (the form, logged in) and
``/suggestions/track/`` (the receipt code, no login). The receipt code is
POSTed, never put in a URL (so it is in no log, history or Referer), and a
wrong code answers the same words whether or not anything exists.
"""
from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from liaison import preview
from liaison.errors import SuggestionError
from liaison.sheetmark import csv_mark
from liaison.uploads import PendingUploads

from . import identity, receipts, selectors, services, stats
from .forms import AssignForm, CaseForm, DecideRewardForm, FindingForm, NoteForm, RewardForm, TrackForm
from .models import Case, CaseFile, Reward

PAGE = 20


@never_cache
@login_required
def new(request):
    """The form (contract: /suggestions/new/): any logged-in employee."""
    form = CaseForm(request.POST or None, request.FILES or None, pending=PendingUploads(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case, code = services.submit_case(
                actor=request.user, box=data["box"], kind=data["kind"], category=data["category"], text=data["text"],
                signed=data["signed"], contact_allowed=data["contact_allowed"], contact=data["contact"],
                photos=form.uploads("photos"))
        except SuggestionError as error:
            form.keep_uploads()
            messages.error(request, error.message)
        else:
            form.discard_pending()
            # Shown once, in this response only (never stored, never in a URL; never_cache: no-store).
            return render(request, "suggestions/submitted.html", {"case": case, "code": code})
    return render(request, "suggestions/new.html", {"form": form})


@never_cache
def track(request):
    """Follow a case by its receipt code (contract: /suggestions/track/), no login needed."""
    form = TrackForm(request.POST or None)
    if request.method == "POST":
        if receipts.is_blocked(request):
            return render(request, "suggestions/track.html", {
                "form": TrackForm(), "blocked": True, "minutes": receipts.window_minutes()}, status=429)
        code = receipts.normalize(request.POST.get("code", ""))
        case = None
        if code:
            case = (Case.objects.select_related("category").filter(receipt_hash=receipts.digest(code)).first())
        if case is None:
            receipts.count_failure(request)
            messages.error(request, _("没有找到与该回执码对应的事项，请核对后重新输入。"))
            return render(request, "suggestions/track.html", {"form": TrackForm()}, status=200)
        reward = Reward.objects.filter(case=case, state=Reward.State.APPROVED).first()
        return render(request, "suggestions/receipt.html", {"case": case, "reward": reward})
    return render(request, "suggestions/track.html", {"form": form})


@login_required
def index(request):
    """The cases the user works on (handlers: their boxes; units: theirs), newest first."""
    qs = selectors.search(selectors.cases_visible_to(request.user), q=(request.GET.get("q") or "").strip(),
                          state=request.GET.get("state", ""), box=request.GET.get("box", ""),
                          kind=request.GET.get("kind", ""))
    page = Paginator(qs.order_by("state" if request.GET.get("open") else "-submitted_at", "-pk"),
                     PAGE).get_page(request.GET.get("page"))
    return render(request, "suggestions/list.html", {
        "page": page, "q": request.GET.get("q", ""), "states": Case.State.choices, "kinds": Case.Kind.choices,
        "boxes": Case._meta.get_field("box").choices, "handler": selectors.is_box_person(request.user),
        "mine_count": identity.cases_signed_by(request.user).count(), "now": timezone.now()})


@login_required
def mine(request):
    """The user's own signed cases and their answers (the portal's "my submissions")."""
    page = Paginator(identity.cases_signed_by(request.user).order_by("-submitted_at", "-pk"),
                     PAGE).get_page(request.GET.get("page"))
    return render(request, "suggestions/mine.html", {"page": page})


def _case(request, pk):
    return get_object_or_404(selectors.cases_visible_to(request.user), pk=pk)


@login_required
def case_detail(request, pk):
    return _render_case(request, _case(request, pk))


def _render_case(request, case, bound: dict | None = None):
    """The case page; ``bound`` puts a submitted form (with its errors and what was typed) in place of
    the blank one, so a refused action loses nothing the user wrote."""
    user = request.user
    handler = selectors.handled_by(user, case)
    writer = identity.identity_for(case=case, user=user) if handler else None
    reward = Reward.objects.filter(case=case).select_related("proposed_by", "decided_by").first()
    context = {
        "case": case, "handler": handler, "writer": writer, "reward": reward,
        "notes": case.notes.select_related("by"), "files": case.files.all(),
        "works_on": selectors.works_on(user, case), "approver": selectors.approves_for(user, case),
        "assign_form": AssignForm(initial={"unit": case.unit_id}), "note_form": NoteForm(),
        "finding_form": FindingForm(),
        "reward_form": RewardForm(initial={"amount": services.suggested_amount(case)}),
        "decide_form": DecideRewardForm(), "now": timezone.now(),
        "can_assign": handler and case.may_move_to(Case.State.ASSIGNED),
        "can_answer": handler and case.may_move_to(Case.State.ANSWERED),
        "can_propose": handler and case.state == Case.State.ANSWERED and case.finding in Case.REWARDABLE
        and reward is None,
        "can_decide": reward is not None and reward.state == Reward.State.PROPOSED
        and selectors.approves_for(user, case) and reward.proposed_by_id != user.pk,
        "can_close": handler and case.may_move_to(Case.State.CLOSED)
        and (reward is None or reward.state != Reward.State.PROPOSED),
    }
    context.update(bound or {})
    return render(request, "suggestions/case.html", context)


def _act(request, pk, form_class, slot, call, done):
    """Validate ``form_class``, call the service; on an error the case page comes back with the
    message and the form as typed (``slot``: its name in the page's context)."""
    case = _case(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _render_case(request, case, {slot: form})
    try:
        call(case, form.cleaned_data)
    except SuggestionError as error:
        messages.error(request, error.message)
        return _render_case(request, _case(request, pk), {slot: form})
    messages.success(request, done)
    return redirect("suggestions:case", pk=case.pk)


@require_POST
@login_required
def assign(request, pk):
    return _act(request, pk, AssignForm, "assign_form", lambda case, d: services.assign_case(
        case=case, actor=request.user, unit=d["unit"], days=d["days"]), _("已分派。"))


@require_POST
@login_required
def note(request, pk):
    return _act(request, pk, NoteForm, "note_form", lambda case, d: services.add_note(
        case=case, actor=request.user, kind=d["kind"], text=d["text"]), _("已记录。"))


@require_POST
@login_required
def answer(request, pk):
    return _act(request, pk, FindingForm, "finding_form", lambda case, d: services.record_finding(
        case=case, actor=request.user, finding=d["finding"], answer=d["answer"]), _("已答复。"))


@require_POST
@login_required
def reward_propose(request, pk):
    return _act(request, pk, RewardForm, "reward_form", lambda case, d: services.propose_reward(
        case=case, actor=request.user, amount=d["amount"], reason=d["reason"]), _("已提议奖励，等待审批。"))


@require_POST
@login_required
def reward_decide(request, pk):
    def call(case, d):
        reward = Reward.objects.filter(case=case).first()
        if reward is None:
            raise PermissionDenied
        services.decide_reward(reward=reward, actor=request.user, approve=d["decision"] == "approve",
                               note=d["note"])
    return _act(request, pk, DecideRewardForm, "decide_form", call, _("已审批。"))


@login_required
def close(request, pk):
    """GET: the confirmation page; POST: close and seal."""
    case = _case(request, pk)
    if not selectors.handled_by(request.user, case):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.close_case(case=case, actor=request.user)
        except SuggestionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已办结并封存。"))
        return redirect("suggestions:case", pk=case.pk)
    return render(request, "suggestions/close.html", {"case": case})


@login_required
def photo(request, pk):
    """A photo of a case the user may see, decoded and written anew (liaison.preview): whatever the
    file carried besides its pixels (EXIF: the phone's owner, model, GPS) never reaches the unit or a
    handler (issue 17 §3); watermarked with the viewer like every restricted file."""
    row = get_object_or_404(CaseFile.objects.filter(case__in=selectors.cases_visible_to(request.user)), pk=pk)
    with row.file.open("rb") as handle:
        data = handle.read()
    return preview.preview_response(data=data, filename="photo-%d" % row.pk,
                                    mark=preview.watermark_text(request.user))


@login_required
def statistics(request):
    """Counts and the median time to answer over the cases the user may see."""
    if not selectors.is_box_person(request.user):
        raise PermissionDenied
    return render(request, "suggestions/stats.html", {"s": stats.summary(selectors.cases_visible_to(request.user))})


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text  # never a formula


@login_required
def export(request):
    """The visible cases as CSV for the handlers: no text, no writer."""
    if not selectors.is_box_person(request.user):
        raise PermissionDenied
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="suggestions.csv"'
    response.write("\ufeff")
    out = csv.writer(response)
    out.writerow([csv_mark(request.user)])  # issue 18 §4: organisation, user and time
    out.writerow([_("编号"), _("信箱"), _("类型"), _("类别"), _("署名"), _("状态"), _("承办单位"), _("办理期限"),
                  _("处理结论"), _("提交时间"), _("答复时间")])
    for case in selectors.cases_visible_to(request.user).order_by("-submitted_at", "-pk").iterator():
        out.writerow([_cell(v) for v in (
            case.number, case.get_box_display(), case.get_kind_display(), case.category.name,
            _("是") if case.signed else _("否"), case.get_state_display(), case.unit.name if case.unit_id else "",
            timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M") if case.due_at else "",
            case.get_finding_display(), timezone.localtime(case.submitted_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(case.answered_at).strftime("%Y-%m-%d %H:%M") if case.answered_at else "")])
    return response

