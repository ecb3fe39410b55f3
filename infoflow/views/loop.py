"""The closed loop's small operations on the item page (issue 19 §8): each
view fetches the item through visibility (404), its row among the item's own
(404), checks the right (403), calls one service and redirects back with its
message; a form's input comes back with the error (the 呈报 page)."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..loop_models import FollowTask, StudyConfirmation
from ..models import Receiver
from ..services import loop
from .actions import back_to
from .common import ServiceFailed, get_item, service_errors


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _run(request, item, success, call):
    try:
        with service_errors(request):
            call()
    except ServiceFailed:
        return back_to(item)
    messages.success(request, success)
    return back_to(item)


@login_required
@require_POST
def follow_task_add(request, pk, receiver_pk):
    item = get_item(request, pk)
    receiver = get_object_or_404(Receiver.objects.filter(item=item), pk=receiver_pk)
    receiver.item = item
    if not loop.may_add_follow_task(request.user, receiver):
        raise PermissionDenied(_("只有反馈方或发起部门的联络员可以登记落实任务。"))
    due = _date(request.POST.get("due_date"))
    if due is None:
        messages.error(request, _("请选择完成期限（工作日）。"))
        return back_to(item)
    return _run(request, item, _("落实任务已登记，将跟踪至完成。"), lambda: loop.add_follow_task(
        receiver=receiver, actor=request.user, owner=request.POST.get("owner") or None,
        what=request.POST.get("what", ""), due_date=due))


@login_required
@require_POST
def follow_task_done(request, pk, task_pk):
    item = get_item(request, pk)
    task = get_object_or_404(FollowTask.objects.filter(item=item), pk=task_pk)
    task.item = item
    if task.state == FollowTask.State.OPEN and not loop.may_finish_follow_task(request.user, task):
        raise PermissionDenied(_("只有责任人、登记人或发起部门联络员可以办结落实任务。"))
    return _run(request, item, _("落实任务已完成。"), lambda: loop.finish_follow_task(
        task=task, actor=request.user, result=request.POST.get("result", "")))


class EscalateForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("呈报说明"), max_length=loop.MAX_TEXT,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=gettext_lazy("说明需要上级决定或协调的问题，以及您的处理建议。"))


@login_required
def escalate(request, pk):
    """呈报: GET shows the form naming the superiors; POST sends it up."""
    item = get_item(request, pk)
    path = loop.escalation_path(request.user, item)
    if path is None:
        raise PermissionDenied(_("只有当前环节的审核人或接收方可以呈报。"))
    form = EscalateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with service_errors(request):
                loop.escalate_item(item=item, actor=request.user, note=form.cleaned_data["note"])
        except ServiceFailed:
            pass
        else:
            messages.success(request, _("已呈报上级。"))
            return back_to(item)
    return render(request, "infoflow/escalate_form.html", {"item": item, "form": form, "superiors": path[1]})


@login_required
@require_POST
def study_require(request, pk):
    item = get_item(request, pk)
    if not loop.may_require_study(request.user, item):
        raise PermissionDenied(_("只有发起部门联络员和秘书处可以要求学习落实确认。"))
    raw = request.POST.get("due_date", "").strip()
    due = _date(raw)
    if raw and due is None:
        messages.error(request, _("请选择有效的确认期限。"))
        return back_to(item)
    return _run(request, item, _("已要求各接收部门确认学习落实。"), lambda: loop.require_study(
        item=item, actor=request.user, due_date=due))


@login_required
@require_POST
def study_confirm(request, pk, confirmation_pk):
    item = get_item(request, pk)
    confirmation = get_object_or_404(StudyConfirmation.objects.filter(item=item).select_related("unit"),
                                     pk=confirmation_pk)
    confirmation.item = item
    if confirmation.state == StudyConfirmation.State.OPEN and not loop.may_confirm_study(request.user, confirmation):
        raise PermissionDenied(_("只有该部门的负责人和联络员可以确认学习落实。"))
    return _run(request, item, _("学习落实情况已确认。"), lambda: loop.confirm_study(
        confirmation=confirmation, actor=request.user, note=request.POST.get("note", "")))


@login_required
@require_POST
def seal_use(request, pk, transmission_pk):
    item = get_item(request, pk)
    transmission = get_object_or_404(item.transmissions.all(), pk=transmission_pk)
    transmission.item = item
    if not loop.may_record_seal_use(request.user, item):
        raise PermissionDenied(_("只有发起部门联络员和秘书处可以登记用印。"))
    raw = request.POST.get("approved_at", "").strip()
    try:
        approved_at = timezone.make_aware(dt.datetime.fromisoformat(raw)) if raw else None
    except ValueError:
        approved_at = None
    if approved_at is None:
        messages.error(request, _("请填写用印审批时间。"))
        return back_to(item)
    return _run(request, item, _("用印已登记。"), lambda: loop.record_seal_use(
        transmission=transmission, actor=request.user, seal=request.POST.get("seal") or None,
        approved_by=request.POST.get("approved_by") or None, approved_at=approved_at,
        copies=request.POST.get("copies") or 1))
