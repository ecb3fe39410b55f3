"""The actions on an item: each view validates, calls one service, turns its
error into a message and redirects (or re-renders its form with the input)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.uploads import PendingUploads

from ..forms import (
    AnswerForm,
    AttachmentForm,
    CancelForm,
    OpinionForm,
    ProgressForm,
    QuestionForm,
    ReplyForm,
    TransmitForm,
)
from ..models import Attachment, Item, Receiver, ReviewStep, StepAssignee
from ..permissions import can_edit, can_receive, is_handler, require
from ..services import chain, delivery, drafting, loop
from .common import ServiceFailed, form_error, get_item, service_errors
from .detail import detail_context


def submitted_message(item) -> str:
    """What the officer reads after submitting: said plainly when the portal
    already sent it (delivery.transmits_on_submission)."""
    if item.state == Item.State.TRANSMITTED:
        return _("信息 %(number)s 已提交，无需审核，已通过系统消息传递给接收方。") % {"number": item.number or ""}
    return _("信息 %(number)s 已提交。") % {"number": item.number or ""}


def approval_message(item, step) -> str:
    """What the reviewer who just approved reads: where the item went."""
    item = Item.objects.get(pk=item.pk)
    number = item.number or ""
    now_open = chain.open_step(item)
    if now_open is not None and now_open.pk == step.pk:
        # 会签: this stage waits for the other deciders.
        return _("已同意，信息 %(number)s 的“%(stage)s”环节等待其他审核人会签。") % {"number": number, "stage": step.name}
    if now_open is not None:
        return _("已同意，信息 %(number)s 进入下一环节“%(stage)s”。") % {"number": number, "stage": now_open.name}
    if item.state == Item.State.APPROVED:
        return _("审核通过，信息 %(number)s 等待发起部门传递给接收方。") % {"number": number}
    # Send first, review after (先处理后报告): it was already transmitted.
    return _("审核通过，信息 %(number)s 的审核已全部完成（该信息已先行传递）。") % {"number": number}


def back_to(item):
    return redirect("infoflow:item-detail", pk=item.pk)


@login_required
@require_POST
def submit(request, pk):
    item = get_item(request, pk)
    try:
        with service_errors(request):
            chain.submit_item(item=item, actor=request.user)
    except ServiceFailed:
        return back_to(item)
    item.refresh_from_db()
    messages.success(request, submitted_message(item))
    return back_to(item)


def _confirm(request, item, *, title, question, button, form=None, danger=True):
    return render(
        request,
        "infoflow/confirm.html",
        {"item": item, "title": title, "question": question, "button": button, "form": form, "danger": danger},
    )


@login_required
def withdraw(request, pk):
    """Withdraw before the first decision; GET asks for confirmation (works
    without JavaScript), POST withdraws."""
    item = get_item(request, pk)
    require(request.user, "withdraw", item)
    if request.method == "POST":
        try:
            with service_errors(request):
                chain.withdraw_item(item=item, actor=request.user)
        except ServiceFailed:
            return back_to(item)
        messages.success(request, _("信息已撤回，可修改后重新提交。"))
        return back_to(item)
    return _confirm(
        request, item, title=_("撤回信息"), button=_("确认撤回"),
        question=_("撤回后审核人将不再处理本信息，您可修改后重新提交。确定撤回吗？"),
    )


@login_required
def cancel(request, pk):
    item = get_item(request, pk)
    require(request.user, "cancel", item)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with service_errors(request):
                chain.cancel_item(item=item, actor=request.user, reason=form.cleaned_data["reason"])
        except ServiceFailed:
            pass
        else:
            messages.success(request, _("信息已作废。"))
            return back_to(item)
    return _confirm(
        request, item, title=_("作废信息"), button=_("确认作废"), form=form,
        question=_("作废后信息不能再处理，且不可恢复。请填写作废原因。"),
    )


def _open_step(item, step_pk):
    return get_object_or_404(ReviewStep.objects.filter(item=item), pk=step_pk)


@login_required
@require_POST
def take(request, pk, step_pk):
    item = get_item(request, pk)
    step = _open_step(item, step_pk)
    try:
        with service_errors(request):
            chain.take_step(step=step, actor=request.user)
    except ServiceFailed:
        return back_to(item)
    messages.success(request, _("已领取“%(name)s”，请审核。") % {"name": step.name})
    return redirect("infoflow:review", pk=item.pk, step_pk=step.pk)


@login_required
def review(request, pk, step_pk):
    """The review form: approve, or return with the reason (required)."""
    item = get_item(request, pk)
    step = _open_step(item, step_pk)
    if step.state == ReviewStep.State.OPEN:
        require(request.user, "review", item, step=step)
    elif request.method != "POST":
        # A decided step offers no form; a POST still gets the service's message.
        messages.info(request, _("“%(step)s”环节已结束，无需再审核。") % {"step": step.name})
        return back_to(item)
    form = OpinionForm(request.POST or None)
    if request.method == "POST":
        decision = "return" if "return" in request.POST else "approve"
        form.data = form.data.copy()
        form.data["decision"] = decision
        if form.is_valid():
            opinion = form.cleaned_data["opinion"].strip() or (_("同意") if decision == "approve" else "")
            try:
                with service_errors(request):
                    if decision == "approve":
                        chain.approve_step(step=step, actor=request.user, opinion=opinion,
                                           checked=request.POST.getlist("checklist"))
                    else:
                        chain.return_step(step=step, actor=request.user, opinion=opinion)
            except ServiceFailed:
                pass
            else:
                if decision == "approve":
                    messages.success(request, approval_message(item, step))
                else:
                    messages.success(request, _("已退回信息 %(number)s。") % {"number": item.number or ""})
                return redirect("infoflow:review-inbox")
    context = detail_context(request, item)
    ticked = {str(c) for c in request.POST.getlist("checklist")}
    context.update({"step": step, "form": form, "ticked": ticked,
                    "checklist": loop.checklist_for(step) if step.state == ReviewStep.State.OPEN else []})
    return render(request, "infoflow/review_form.html", context)


@login_required
def transmit(request, pk):
    item = get_item(request, pk)
    require(request.user, "transmit", item)
    initial = {"methods": item.methods_list}
    # Evidence files come back with a form that has an error (liaison.uploads).
    form = TransmitForm(request.POST or None, request.FILES or None, initial=initial, pending=PendingUploads(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with service_errors(request):
                delivery.transmit_item(
                    item=item, actor=request.user, methods=data["methods"], sent_at=data.get("sent_at"),
                    note=data.get("note") or "", written_record=data.get("written_record") or "",
                    evidence=form.uploads("evidence"),
                )
        except ServiceFailed:
            form.keep_uploads()
        else:
            form.discard_pending()
            if item.state == Item.State.TRANSMITTED:
                messages.success(request, _("已补记传递方式。"))
            else:
                messages.success(request, _("已记录传递，等待各接收方签收和反馈。"))
            return back_to(item)
    receivers = list(item.receivers.select_related("unit", "user", "external_unit", "contact"))
    return render(request, "infoflow/transmit_form.html", {"item": item, "form": form, "receivers": receivers})


def _receiver(item, receiver_pk):
    return get_object_or_404(
        Receiver.objects.filter(item=item).select_related("unit", "user", "external_unit", "contact"), pk=receiver_pk
    )


def _after_receiver_action(request, item):
    target = request.POST.get("next")
    if target == "inbox":
        return redirect("infoflow:receiver-inbox")
    return back_to(item)


@login_required
@require_POST
def acknowledge(request, pk, receiver_pk):
    item = get_item(request, pk)
    receiver = _receiver(item, receiver_pk)
    require(request.user, "receive", item, receiver=receiver)
    try:
        with service_errors(request):
            delivery.acknowledge_receipt(receiver=receiver, actor=request.user)
    except ServiceFailed:
        return _after_receiver_action(request, item)
    messages.success(request, _("%(receiver)s 已签收。") % {"receiver": receiver.label})
    return _after_receiver_action(request, item)


@login_required
def question(request, pk, receiver_pk):
    item = get_item(request, pk)
    receiver = _receiver(item, receiver_pk)
    require(request.user, "receive", item, receiver=receiver)
    form = QuestionForm(request.POST or None, initial={"responsible_unit": item.unit_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with service_errors(request):
                delivery.raise_question(
                    receiver=receiver, actor=request.user, kind=data["kind"], text=data["text"],
                    responsible_unit=data["responsible_unit"], due_at=data.get("due_at"),
                )
        except ServiceFailed:
            pass
        else:
            messages.success(request, _("已提出，责任部门将在期限内答复。"))
            return back_to(item)
    return render(request, "infoflow/receiver_form.html", {
        "item": item, "receiver": receiver, "form": form, "title": _("提出疑问或协调请求"),
        "button": _("提交"), "action": "question",
    })


@login_required
def answer(request, pk, receiver_pk):
    item = get_item(request, pk)
    receiver = _receiver(item, receiver_pk)
    require(request.user, "receive", item, receiver=receiver)
    form = AnswerForm(request.POST or None, request.FILES or None, pending=PendingUploads(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with service_errors(request):
                delivery.answer_receiver(
                    receiver=receiver, actor=request.user, result=data["result"],
                    next_steps=data.get("next_steps") or "", files=form.uploads("files"),
                    outcome=data.get("outcome") or "", outcome_reason=data.get("outcome_reason") or "",
                )
        except ServiceFailed:
            form.keep_uploads()
        else:
            form.discard_pending()
            messages.success(request, _("%(receiver)s 的反馈已记录。") % {"receiver": receiver.label})
            return back_to(item)
    return render(request, "infoflow/receiver_form.html", {
        "item": item, "receiver": receiver, "form": form, "title": _("反馈处理结果"),
        "button": _("提交反馈"), "action": "answer", "multipart": True,
    })


@login_required
@require_POST
def reply(request, pk, question_pk):
    item = get_item(request, pk)
    question_row = get_object_or_404(item.questions.all(), pk=question_pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error(form, _("请填写答复内容。")))
        return back_to(item)
    try:
        with service_errors(request):
            delivery.reply_question(question=question_row, actor=request.user, reply=form.cleaned_data["reply"])
    except ServiceFailed:
        return back_to(item)
    messages.success(request, _("答复已记录。"))
    return back_to(item)


@login_required
@require_POST
def progress(request, pk):
    item = get_item(request, pk)
    form = ProgressForm(request.POST)
    receiver = None
    receiver_pk = request.POST.get("receiver")
    if receiver_pk and receiver_pk.isdigit():
        receiver = _receiver(item, int(receiver_pk))
    elif not is_handler(request.user, item):
        # A receiver who did not say for which row: their own, when it is one.
        own = [r for r in item.receivers.filter(kind__in=(Receiver.Kind.UNIT, Receiver.Kind.USER)).order_by("pk")
               if can_receive(request.user, r)]
        if len(own) > 1:
            messages.error(request, _("您代表多个接收方，请选择以哪个接收方的名义记录进展。"))
            return back_to(item)
        receiver = own[0] if own else None
    if not form.is_valid():
        messages.error(request, form_error(form, _("请填写进展内容。")))
        return back_to(item)
    try:
        with service_errors(request):
            delivery.post_progress(item=item, actor=request.user, text=form.cleaned_data["text"], receiver=receiver)
    except ServiceFailed:
        return back_to(item)
    messages.success(request, _("进展已记录。"))
    return back_to(item)


@login_required
@require_POST
def complete(request, pk):
    item = get_item(request, pk)
    try:
        with service_errors(request):
            delivery.complete_item(item=item, actor=request.user)
    except ServiceFailed:
        return back_to(item)
    messages.success(request, _("信息 %(number)s 已办结。") % {"number": item.number or ""})
    return back_to(item)


@login_required
@require_POST
def add_attachments(request, pk):
    item = get_item(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_error(form, _("请选择要上传的文件。")))
        return back_to(item)
    try:
        with service_errors(request):
            for upload in form.cleaned_data["files"]:
                drafting.add_attachment(item=item, actor=request.user, upload=upload)
    except ServiceFailed:
        return back_to(item)
    messages.success(request, _("附件已上传。"))
    return back_to(item)


@login_required
def remove_attachment(request, pk, attachment_pk):
    """GET asks first (as 撤回 and 作废 do), POST deletes."""
    item = get_item(request, pk)
    attachment = get_object_or_404(item.attachments, pk=attachment_pk)
    if request.method != "POST":
        if not can_edit(request.user, item) or attachment.purpose != Attachment.Purpose.ITEM:
            # May see the item, may not delete this file: no form offered (the POST is refused too).
            raise PermissionDenied(_("只有信息的发起人或本部门联络员可以在信息可修改时删除附件。"))
        return _confirm(
            request, item, title=_("删除附件"), button=_("确认删除"),
            question=_("确定删除附件“%(name)s”吗？删除后需重新上传才能恢复。") % {"name": attachment.original_name},
        )
    try:
        with service_errors(request):
            drafting.remove_attachment(attachment=attachment, actor=request.user)
    except ServiceFailed:
        return back_to(item)
    messages.success(request, _("附件已删除。"))
    return back_to(item)
