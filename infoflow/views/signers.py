"""Pages of 加签 / 减签 / 转办 / 退回至指定环节, batch approval and 常用语
(issue 15). Thin: fetch through visibility (404), check the right (403 with
the sentence of ``permissions.refusal``), call one service, say what
happened."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..models import Phrase, ReviewStep, StepChange
from ..permissions import require
from ..services import batch, phrases, signers, transfer
from ..signer_forms import AddSignerForm, BatchForm, PhraseForm, ReasonForm, ReturnToForm, TransferForm
from .common import ServiceFailed, get_item, service_errors


def _current_step(request, pk, step_pk):
    """The item (404 unless visible), its open step and the right to decide
    it (403 otherwise, saying who decides)."""
    item = get_item(request, pk)
    step = get_object_or_404(ReviewStep.objects.prefetch_related("assignees__user"), item=item, pk=step_pk)
    require(request.user, "review", item, step=step)
    return item, step


@login_required
def add_signer(request, pk, step_pk):
    """加签 on the current step, and the list of added signers one may remove (减签)."""
    item, step = _current_step(request, pk, step_pk)
    form = AddSignerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with service_errors(request):
                change = signers.add_signer(step=step, actor=request.user, person=data["person"],
                                            position=data["position"], reason=data["reason"])
        except ServiceFailed:
            pass
        else:
            messages.success(request, _("已加签：%(name)s（%(kind)s）。") % {
                "name": change.person.get_full_name() or change.person.username, "kind": change.get_kind_display()})
            return redirect("infoflow:item-detail", item.pk)
    return render(request, "infoflow/signers.html", {
        "item": item, "step": step, "form": form, "removable": signers.removable_changes(item, request.user),
    })


@login_required
def remove_signer(request, pk, change_pk):
    """减签, after a confirmation page asking for the reason."""
    item = get_item(request, pk)
    change = get_object_or_404(StepChange.objects.select_related("person", "actor", "step"), item=item, pk=change_pk,
                               kind__in=StepChange.ADDING)
    if not signers.may_remove(request.user, change, item):
        raise PermissionDenied(_("只有加签人的添加者或当前环节的审核人可以减签。"))
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with service_errors(request):
                signers.remove_signer(change=change, actor=request.user, reason=form.cleaned_data["reason"])
        except ServiceFailed:
            pass
        else:
            messages.success(request, _("已减签：%(name)s。") % {
                "name": change.person.get_full_name() or change.person.username})
            return redirect("infoflow:item-detail", item.pk)
    person = change.person.get_full_name() or change.person.username
    return render(request, "infoflow/confirm.html", {
        "item": item, "form": form, "title": _("减签"), "button": _("确认减签"), "danger": True,
        "question": _("取消 %(name)s 的审核（%(kind)s）？对方尚未审核，将收到通知。") % {
            "name": person, "kind": change.get_kind_display()},
        "details": [(_("加签人"), person), (_("加签理由"), change.reason)],
    })


@login_required
def transfer_step(request, pk, step_pk):
    """转办: hand one's step to another person with a reason."""
    item, step = _current_step(request, pk, step_pk)
    form = TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with service_errors(request):
                change = transfer.transfer_step(step=step, actor=request.user, person=data["person"],
                                                reason=data["reason"])
        except ServiceFailed:
            pass
        else:
            messages.success(request, _("已转办给 %(name)s。") % {
                "name": change.person.get_full_name() or change.person.username})
            return redirect("infoflow:review-inbox")
    return render(request, "infoflow/transfer_form.html", {"item": item, "step": step, "form": form})


@login_required
def return_to(request, pk, step_pk):
    """退回至指定环节: the review goes back to a chosen earlier stage."""
    item, step = _current_step(request, pk, step_pk)
    stages = transfer.earlier_stages(item, step)
    form = ReturnToForm(request.POST or None, stages=stages)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with service_errors(request):
                opened = transfer.return_to_stage(step=step, actor=request.user, stage_index=data["stage"],
                                                  opinion=data["opinion"])
        except ServiceFailed:
            pass
        else:
            messages.success(request, _("已退回至“%(stage)s”环节。") % {"stage": opened.name})
            return redirect("infoflow:review-inbox")
    return render(request, "infoflow/return_to_form.html",
                  {"item": item, "step": step, "form": form, "stages": stages})


@login_required
@require_POST
def batch_approve(request):
    """批量同意 from the review inbox: each ticked step approved by its own
    service call; the page says which passed and which did not, and why."""
    form = BatchForm(request.POST)
    step_ids = request.POST.getlist("steps")  # each one is checked by the service
    if not step_ids or not form.is_valid():
        messages.error(request, _("请至少勾选一条待审核信息。"))
        return redirect("infoflow:review-inbox")
    result = batch.approve_many(step_ids=step_ids, actor=request.user, opinion=form.cleaned_data["opinion"],
                                checked=request.POST.getlist("checklist"))
    if result.passed:
        messages.success(request, _("已同意 %(n)s 条。") % {"n": len(result.passed)})
    if result.failed:
        messages.error(request, _("%(n)s 条未能同意，原因见下。") % {"n": len(result.failed)})
    return render(request, "infoflow/batch_result.html", {"result": result})


@login_required
def phrase_list(request):
    """常用语: one's own list (add, delete) and the defaults."""
    form = PhraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with service_errors(request):
                phrases.add_phrase(actor=request.user, text=form.cleaned_data["text"])
        except ServiceFailed:
            pass
        else:
            messages.success(request, _("已添加常用语。"))
            return redirect("infoflow:phrases")
    own = list(Phrase.objects.filter(user=request.user))
    own_texts = {p.text for p in own}
    defaults = [p for p in phrases.phrases_for(request.user) if p not in own_texts]
    return render(request, "infoflow/phrases.html", {"form": form, "own": own, "defaults": defaults})


@login_required
def phrase_delete(request, phrase_pk):
    """Delete one's own phrase after a confirmation page (another's is a 404)."""
    phrase = get_object_or_404(Phrase, pk=phrase_pk, user=request.user)
    if request.method == "POST":
        with service_errors(request):
            phrases.delete_phrase(actor=request.user, phrase=phrase)
        messages.success(request, _("已删除常用语。"))
        return redirect("infoflow:phrases")
    return render(request, "infoflow/confirm.html", {
        "title": _("删除常用语"), "button": _("删除"), "danger": True, "question": phrase.text,
        "back_url": reverse("infoflow:phrases"),
    })
