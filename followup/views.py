"""Pages of circulation and instructions. Thin: the item comes through
``items_visible_to`` (404 otherwise), a task through ``tasks_visible_to``;
forms validate, one service acts, its error becomes a message (NotAllowed a
403) and the input is kept."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoflow.views.common import ServiceFailed, get_item, paginate, paginate_counted, service_errors
from infoflow.visibility import DELIVERED, record_restricted_view

from . import permissions, selectors, services
from .forms import CancelTaskForm, CirculateForm, InstructionForm, ProposalForm, ResultForm, task_forms
from .models import InstructionTask
from .services.circulation import relay_to_staff, relay_units


def _item_url(item) -> str:
    return reverse("infoflow:item-detail", args=[item.pk])


def _refuse(reason: str):
    raise PermissionDenied(reason)


# --- circulation -------------------------------------------------------------------------


@login_required
def circulate(request, pk):
    """Choose people and units to circulate the item to (传阅)."""
    item = get_item(request, pk)
    if not permissions.can_circulate(request.user, item):
        _refuse(_("只有信息的发起人、发起部门联络员、审核人、批示领导和秘书处可以传阅（草稿和已作废的信息不能传阅）。"))
    form = CirculateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with service_errors(request):
                circulation = services.circulate_item(
                    item=item, actor=request.user, user_ids=[u.pk for u in data["users"]],
                    unit_ids=[u.pk for u in data["units"]],
                    note=data["note"], remind_after_days=data["remind_after_days"])
        except ServiceFailed:
            pass
        else:
            messages.success(request, _("已传阅给 %(count)s 人。") % {"count": circulation.readers.count()})
            return redirect(_item_url(item))
    return render(request, "followup/circulate.html", {"item": item, "form": form})


@login_required
@require_POST
def mark_read(request, pk):
    """已阅: record the user's reading, back to where they came from."""
    item = get_item(request, pk)
    try:
        with service_errors(request):
            services.mark_read(item=item, actor=request.user)
    except ServiceFailed:
        pass
    else:
        messages.success(request, _("已登记阅读。"))
    if request.POST.get("next") == "inbox":
        return redirect("followup:reading-inbox")
    return redirect(_item_url(item))


@login_required
def reading_inbox(request):
    """待阅 (default) and 已阅 (``?done=1``), searchable, paginated."""
    done = request.GET.get("done") == "1"
    query = (request.GET.get("q") or "").strip()[:100]
    page = paginate_counted(request, selectors.reading_rows(request.user, done=done, query=query))
    return render(request, "followup/reading_inbox.html", {"page": page, "done": done, "query": query})


@login_required
def readers(request, pk):
    """Who has read the item and who not: its circulations' readers and, for
    a notice to all staff, every member of staff (to those allowed)."""
    item = get_item(request, pk)
    if not permissions.sees_reading(request.user, item):
        _refuse(_("阅读情况只有信息的发起人、发起部门联络员、传阅人、秘书处和监察部门可以查看。"))
    record_restricted_view(request.user, item, request)  # an audit row for a restricted item only
    all_staff = item.to_all_staff and item.state in DELIVERED
    if all_staff and request.GET.get("view") != "circulated":
        page = paginate(request, selectors.all_staff_reading(item).select_related("profile__unit"))
        times = selectors.receipt_times(item, [u.pk for u in page])
        for user in page:
            user.read_at = times.get(user.pk)
        total = selectors.all_staff_reading(item).count()
        read = selectors.all_staff_read_count(item)
        return render(request, "followup/readers.html", {
            "item": item, "page": page, "all_staff": True, "total": total, "read": read})
    page = paginate(request, selectors.item_readers(item))
    rows = selectors.item_readers(item)
    return render(request, "followup/readers.html", {
        "item": item, "page": page, "all_staff": False, "has_all_staff": all_staff,
        "total": rows.count(), "read": rows.filter(read_at__isnull=False).count()})


# --- 拟办 and 批示 ---------------------------------------------------------------------------


@login_required
def propose(request, pk):
    item = get_item(request, pk)
    if not permissions.can_propose(request.user, item):
        _refuse(_("只有秘书处可以为办理中的收文填写拟办意见。"))
    current = getattr(item, "proposal", None)
    form = ProposalForm(request.POST or None, initial={"text": current.text if current else ""})
    if request.method == "POST" and form.is_valid():
        try:
            with service_errors(request):
                services.write_proposal(item=item, actor=request.user, text=form.cleaned_data["text"])
        except ServiceFailed:
            pass
        else:
            messages.success(request, _("拟办意见已保存，已提请领导批示。"))
            return redirect(_item_url(item))
    return render(request, "followup/propose.html", {"item": item, "form": form})


@login_required
def instruct(request, pk):
    """The leader's instruction with up to three tasks on one form."""
    item = get_item(request, pk)
    if not permissions.can_instruct(request.user, item):
        _refuse(_("只有分管领导和总经理可以对报送领导的信息和已拟办的收文作出批示。"))
    form = InstructionForm(request.POST or None)
    rows = task_forms(request.POST or None)
    if request.method == "POST" and form.is_valid() and all(row.is_valid() for row in rows):
        tasks = [row.cleaned_data for row in rows if not row.is_blank()]
        try:
            with service_errors(request):
                services.give_instruction(item=item, actor=request.user, text=form.cleaned_data["text"], tasks=tasks)
        except ServiceFailed:
            pass
        else:
            messages.success(request, _("批示已保存，并已通知相关人员。"))
            return redirect(_item_url(item))
    proposal = getattr(item, "proposal", None)
    return render(request, "followup/instruct.html", {"item": item, "form": form, "rows": rows,
                                                      "proposal": proposal})


# --- tasks -------------------------------------------------------------------------------------


def _get_task(request, pk) -> InstructionTask:
    return get_object_or_404(
        selectors.tasks_visible_to(request.user).select_related("item", "owner", "unit", "instruction__author"), pk=pk)


@login_required
def task_list(request):
    """批示任务: the user's open tasks (``?done=1``: finished), paginated."""
    done = request.GET.get("done") == "1"
    page = selectors.task_page(request, done)
    if page is None:
        page = paginate_counted(request, selectors.task_rows(request.user, done=done))
    return render(request, "followup/task_list.html", {"page": page, "done": done, "now": timezone.now()})


@login_required
def task(request, pk):
    """One task: what, who, by when, its chases; the owner reports it done."""
    task = _get_task(request, pk)
    record_restricted_view(request.user, task.item, request)  # an audit row for a restricted item only
    form = ResultForm(request.POST or None)
    if request.method == "POST":
        if not permissions.can_finish_task(request.user, task):
            if task.state != InstructionTask.State.OPEN:
                messages.error(request, _("该任务已%(state)s，请刷新后查看最新状态。") % {
                    "state": task.get_state_display()})
                return redirect("followup:task", pk=task.pk)
            _refuse(_("只有任务责任人可以办结该任务。"))
        if form.is_valid():
            try:
                with service_errors(request):
                    services.finish_task(task=task, actor=request.user, result=form.cleaned_data["result"])
            except ServiceFailed:
                pass
            else:
                messages.success(request, _("任务已办结。"))
                return redirect("followup:task", pk=task.pk)
    return render(request, "followup/task.html", {
        "task": task, "item": task.item, "form": form, "now": timezone.now(),
        "chases": list(task.chases.select_related("sent_by")),
        "can_finish": permissions.can_finish_task(request.user, task),
        "can_cancel": permissions.can_cancel_task(request.user, task),
        "can_chase": permissions.can_chase_task(request.user, task),
    })


@login_required
def task_cancel(request, pk):
    """Cancel a task: a confirmation page with the reason, then the service."""
    task = _get_task(request, pk)
    if not permissions.can_cancel_task(request.user, task):
        if task.state != InstructionTask.State.OPEN:
            messages.error(request, _("该任务已%(state)s，请刷新后查看最新状态。") % {"state": task.get_state_display()})
            return redirect("followup:task", pk=task.pk)
        _refuse(_("只有作出批示的领导或秘书处可以取消任务。"))
    form = CancelTaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with service_errors(request):
                services.cancel_task(task=task, actor=request.user, reason=form.cleaned_data["reason"])
        except ServiceFailed:
            pass
        else:
            messages.success(request, _("任务已取消。"))
            return redirect("followup:task", pk=task.pk)
    return render(request, "infoflow/confirm.html", {
        "item": task.item, "form": form, "danger": True, "title": _("取消批示任务"),
        "question": _("取消后该任务不再提醒，也不再阻止信息办结。确定取消吗？"),
        "details": [(_("责任人"), task.owner.get_full_name() or task.owner.username), (_("任务内容"), task.what)],
        "button": _("确认取消任务"), "back_url": reverse("followup:task", args=[task.pk])})


@login_required
@require_POST
def task_chase(request, pk):
    task = _get_task(request, pk)
    try:
        with service_errors(request):
            services.chase_task(task=task, actor=request.user)
    except ServiceFailed:
        pass
    else:
        messages.success(request, _("已催办。"))
    return redirect("followup:task", pk=task.pk)


@login_required
@require_POST
def relay(request, pk):
    """A head relays the item to the department's staff (转发, issue 19 §8)."""
    item = get_item(request, pk)
    if not relay_units(request.user, item):
        raise PermissionDenied(_("只有接收部门的负责人可以向本部门员工转发。"))
    try:
        with service_errors(request):
            circulation = relay_to_staff(item=item, actor=request.user, note=request.POST.get("note", ""))
    except ServiceFailed:
        return redirect(_item_url(item))
    messages.success(request, _("已转发本部门员工 %(n)s 人，请其当日阅知。") % {"n": circulation.readers.count()})
    return redirect(_item_url(item))
