"""Pages of visits, the obligations calendar and member changes
(/relations/). Views are thin: objects come through the selectors (one the
user may not see is a 404), forms check shapes, one service is called and its
error becomes a message with the input kept."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.paging import count_then_page
from officers.models import ExternalUnit, OrgUnit

from . import permissions, selectors
from .errors import RelationsError
from .forms import ActionDoneForm, ActionForm, MemberChangeForm, OccurrenceDoneForm, ReturnForm, VisitForm
from .models import MemberChange, Obligation
from .services import members, obligations, visits

PAGE = 20


def _query(request) -> str:
    return (request.GET.get("q") or "").strip()[:100]


# --- visits ------------------------------------------------------------------------------


@login_required
def visit_list(request):
    """Visible visits, newest first, searchable; ``?unit=`` one external unit's."""
    try:
        unit_id = int(request.GET.get("unit") or 0) or None
    except ValueError:
        unit_id = None
    query = _query(request)
    page = count_then_page(request, selectors.visits_found(request.user, query, unit_id), PAGE,
                           selectors.with_counts)
    return render(request, "relations/visit_list.html", {
        "page": page, "query": query, "may_record": permissions.can_record_visit(request.user),
        "my_actions": selectors.my_open_action_rows(request.user), "now": timezone.now()})


def _visit_kwargs(data) -> dict:
    return {key: data[key] for key in ("contact", "visitors", "visited_on", "kind", "method", "purpose",
                                       "findings")}


@login_required
def visit_create(request):
    if not permissions.can_record_visit(request.user):
        raise PermissionDenied
    units = permissions.visit_units_for(request.user)
    initial = {"visited_on": timezone.localdate(), "visitors": [request.user.pk]}
    own = list(units.values_list("pk", flat=True)[:2])
    if len(own) == 1:  # an officer of one unit records for it
        initial["unit"] = own[0]
    if request.GET.get("external_unit", "").isdigit():
        initial["external_unit"] = int(request.GET["external_unit"])
    form = VisitForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = visits.record_visit(actor=request.user, external_unit=data["external_unit"], unit=data["unit"],
                                        **_visit_kwargs(data))
        except RelationsError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("走访记录已保存，可以添加跟进事项。"))
            return redirect("relations:visit-detail", pk=visit.pk)
    return render(request, "relations/visit_form.html", {"form": form, "visit": None})


def _visit(request, pk):
    return get_object_or_404(selectors.visit_detail(request.user), pk=pk)


@login_required
def visit_detail(request, pk):
    visit = _visit(request, pk)
    may_edit = permissions.can_edit_visit(request.user, visit)
    actions = list(visit.actions.all())
    for action in actions:
        action.may_complete = action.done_at is None and (may_edit or action.owner_id == request.user.pk)
    return render(request, "relations/visit_detail.html", {
        "visit": visit, "actions": actions, "may_edit": may_edit, "now": timezone.now(),
        "action_form": ActionForm(prefix="action") if may_edit else None, "done_form": ActionDoneForm()})


@login_required
def visit_edit(request, pk):
    visit = _visit(request, pk)
    if not permissions.can_edit_visit(request.user, visit):
        raise PermissionDenied
    initial = {"contact": visit.contact_id, "visitors": [u.pk for u in visit.visitors.all()],
               "visited_on": visit.visited_on, "kind": visit.kind, "method": visit.method,
               "purpose": visit.purpose, "findings": visit.findings}
    form = VisitForm(request.POST or None, initial=initial, editing=True)
    form.fields["contact"].queryset = visit.external_unit.contacts.all()
    if request.method == "POST" and form.is_valid():
        try:
            visits.update_visit(actor=request.user, visit=visit, **_visit_kwargs(form.cleaned_data))
        except RelationsError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("走访记录已更新。"))
            return redirect("relations:visit-detail", pk=visit.pk)
    return render(request, "relations/visit_form.html", {"form": form, "visit": visit})


@login_required
@require_POST
def action_add(request, pk):
    visit = _visit(request, pk)
    if not permissions.can_edit_visit(request.user, visit):
        raise PermissionDenied
    form = ActionForm(request.POST, prefix="action")
    if form.is_valid():
        try:
            visits.add_action(actor=request.user, visit=visit, **form.cleaned_data)
        except RelationsError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("跟进事项已添加，已通知责任人。"))
            return redirect("relations:visit-detail", pk=visit.pk)
    else:
        messages.error(request, _("请填写跟进事项、责任人和完成期限。"))
    return render(request, "relations/visit_detail.html", {
        "visit": visit, "actions": list(visit.actions.all()), "may_edit": True, "now": timezone.now(),
        "action_form": form, "done_form": ActionDoneForm()}, status=400)


@login_required
@require_POST
def action_done(request, pk):
    action = get_object_or_404(selectors.actions_visible_to(request.user), pk=pk)
    form = ActionDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写办理结果。"))
    else:
        try:
            visits.complete_action(actor=request.user, action=action, result=form.cleaned_data["result"])
        except RelationsError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("跟进事项已办结。"))
    return redirect("relations:visit-detail", pk=action.visit_id)


# --- the external unit's page ------------------------------------------------------------


@login_required
def unit_detail(request, pk):
    """An external unit with its contacts (names and titles), the visible
    visits to it and what is owed to it. Staff with no liaison role get a 404."""
    if not (selectors.sees_all_relations(request.user) or permissions.can_record_visit(request.user)):
        raise Http404
    unit = get_object_or_404(ExternalUnit.objects.select_related("responsible_unit", "responsible_user"), pk=pk)
    return render(request, "relations/unit_detail.html", {
        "unit": unit, "contacts": list(unit.contacts.all()),
        "visits": selectors.unit_visits(request.user, unit), "occurrences": selectors.unit_occurrences(
            request.user, unit), "may_record": permissions.can_record_visit(request.user)})


# --- the obligations calendar --------------------------------------------------------------


def _month(value: str | None) -> dt.date:
    try:
        return dt.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


@login_required
def calendar(request):
    """Due dates of one month (``?month=YYYY-MM``), searchable, with open /
    late / done filters; the secretariat edits obligations in the admin."""
    month = _month(request.GET.get("month"))
    query, state = _query(request), request.GET.get("state") or ""
    rows = selectors.occurrence_list(request.user, month=None if state == "late" else month, query=query,
                                     state=state)
    page = Paginator(rows, PAGE * 2).get_page(request.GET.get("page"))
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return render(request, "relations/calendar.html", {
        "page": page, "month": month, "previous": previous, "following": following, "query": query,
        "state": state, "today": timezone.localdate(), "manages": permissions.manages_obligations(request.user)})


def _occurrence(request, pk):
    return get_object_or_404(selectors.occurrence_detail(request.user), pk=pk)


@login_required
def occurrence_detail(request, pk):
    occurrence = _occurrence(request, pk)
    history = occurrence.obligation.occurrences.order_by("-due_on")[:12]
    return render(request, "relations/occurrence_detail.html", {
        "occurrence": occurrence, "history": history, "today": timezone.localdate(),
        "may_complete": occurrence.done_at is None and permissions.can_complete_occurrence(request.user, occurrence),
        "form": OccurrenceDoneForm(), "Recurrence": Obligation.Recurrence})


@login_required
@require_POST
def occurrence_done(request, pk):
    occurrence = _occurrence(request, pk)
    form = OccurrenceDoneForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            _done, following = obligations.complete_occurrence(actor=request.user, occurrence=occurrence,
                                                               **form.cleaned_data)
        except RelationsError as error:
            messages.error(request, str(error))
        else:
            if following is not None:
                messages.success(request, _("已办结。下一次截止日期：%(day)s。") % {"day": following.due_on.isoformat()})
            else:
                messages.success(request, _("已办结。"))
            return redirect("relations:occurrence-detail", pk=occurrence.pk)
    else:
        messages.error(request, _("请上传办理凭证并填写办理说明。"))
    history = occurrence.obligation.occurrences.order_by("-due_on")[:12]
    return render(request, "relations/occurrence_detail.html", {
        "occurrence": occurrence, "history": history, "today": timezone.localdate(),
        "may_complete": permissions.can_complete_occurrence(request.user, occurrence), "form": form}, status=400)


@login_required
def occurrence_proof(request, pk):
    occurrence = _occurrence(request, pk)
    if not occurrence.proof:
        raise Http404
    return FileResponse(occurrence.proof.open("rb"), as_attachment=True,
                        filename=occurrence.proof.name.rsplit("/", 1)[-1])


# --- member changes ------------------------------------------------------------------------


@login_required
def member_change_list(request):
    query, state = _query(request), request.GET.get("state") or ""
    page = Paginator(selectors.member_change_list(request.user, query, state), PAGE).get_page(
        request.GET.get("page"))
    return render(request, "relations/member_change_list.html", {
        "page": page, "query": query, "state": state, "states": MemberChange.State.choices,
        "my_units": list(selectors.member_units_of(request.user)),
        "reviews": selectors.reviews_member_changes(request.user)})


@login_required
def member_change_new(request, unit_pk):
    unit = get_object_or_404(selectors.member_units_of(request.user), pk=unit_pk)
    profile = members.current_profile(unit)
    form = MemberChangeForm(request.POST or None, initial=members.profile_values(profile))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        explanation = data.pop("explanation")
        try:
            change = members.submit_member_change(actor=request.user, unit=unit, values=data,
                                                  explanation=explanation)
        except RelationsError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("变更已报送，等待秘书处审核。"))
            return redirect("relations:member-change-detail", pk=change.pk)
    return render(request, "relations/member_change_form.html", {"form": form, "unit": unit, "profile": profile})


def _change(request, pk):
    return get_object_or_404(selectors.member_changes_visible_to(request.user).select_related(
        "unit", "submitted_by", "decided_by"), pk=pk)


@login_required
def member_change_detail(request, pk):
    change = _change(request, pk)
    return render(request, "relations/member_change_detail.html", {
        "change": change, "may_review": change.state == MemberChange.State.SUBMITTED
        and permissions.can_review_member_change(request.user, change), "return_form": ReturnForm()})


@login_required
@require_POST
def member_change_approve(request, pk):
    change = _change(request, pk)
    try:
        members.approve_member_change(actor=request.user, change=change)
    except RelationsError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已通过，会员单位信息已更新。"))
    return redirect("relations:member-change-detail", pk=change.pk)


@login_required
@require_POST
def member_change_return(request, pk):
    change = _change(request, pk)
    form = ReturnForm(request.POST)
    try:
        members.return_member_change(actor=request.user, change=change,
                                     reason=form.data.get("reason", ""))
    except RelationsError as error:
        messages.error(request, str(error))
        return render(request, "relations/member_change_detail.html", {
            "change": change, "may_review": True, "return_form": form}, status=400)
    messages.success(request, _("已退回报送人。"))
    return redirect("relations:member-change-detail", pk=change.pk)


@login_required
def member_profiles(request):
    """Member units' current basic information (the association's register)."""
    query = _query(request)
    profiles = selectors.profiles_visible_to(request.user)
    if query:
        profiles = profiles.filter(name__icontains=query)
    page = Paginator(profiles.order_by("unit__sort_order", "unit__code"), PAGE).get_page(request.GET.get("page"))
    return render(request, "relations/member_profiles.html", {"page": page, "query": query,
                                                               "OrgUnit": OrgUnit})
