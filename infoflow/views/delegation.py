"""Delegation pages (代理): list mine, name a deputy, revoke."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from liaison.pickers import DEPUTY, PersonChoiceField
from officers.roles import roles_of

from ..forms import datetime_field
from ..services.delegation import can_manage_for, create_delegation, delegations_visible_to, revoke_delegation
from .common import ServiceFailed, paginate, service_errors


class DelegationForm(forms.Form):
    """Naming a deputy: searchable pickers grouped by unit; the deputy list leaves out
    the user and system accounts (liaison.pickers)."""

    principal = PersonChoiceField(label=_l("被代理人"), required=False,
                                  help_text=_l("秘书处可为他人设置；留空表示本人"))
    deputy = PersonChoiceField(label=_l("代理人"))
    start = datetime_field(_l("开始时间"), required=True)
    end = datetime_field(_l("结束时间"), required=True)
    reason = forms.CharField(label=_l("事由"), max_length=200, required=False,
                             help_text=_l("如：出差、休假"))

    def __init__(self, *args, for_others=False, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Nobody is their own deputy; the secretariat naming one for someone else
        # still may not pick a system account (the service refuses principal == deputy).
        self.fields["deputy"] = PersonChoiceField(label=_l("代理人"), actor=actor, purpose=DEPUTY, error_messages={
            "invalid_choice": _l("不能指定本人或系统账号为代理人，请从列表中选择。")})
        if not for_others:
            del self.fields["principal"]


@login_required
def delegations(request):
    """The user's delegations (the secretariat sees all) and the form to name a deputy."""
    for_others = roles_of(request.user).is_secretariat
    form = DelegationForm(request.POST or None, for_others=for_others, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        principal = data.get("principal") or request.user
        try:
            with service_errors(request):
                create_delegation(actor=request.user, principal=principal, deputy=data["deputy"],
                                  start=data["start"], end=data["end"], reason=data.get("reason") or "")
        except ServiceFailed:
            pass
        else:
            messages.success(request, _("已设置代理人 %(deputy)s。") % {
                "deputy": data["deputy"].get_full_name() or data["deputy"].username})
            return redirect("infoflow:delegations")
    rows = delegations_visible_to(request.user)
    return render(request, "infoflow/delegations.html", {
        "form": form, "page": paginate(request, rows), "for_others": for_others, "now": timezone.now(),
    })


@login_required
def delegation_revoke(request, delegation_pk):
    """GET asks first (as 撤回 and 作废 do), POST revokes."""
    delegation = get_object_or_404(delegations_visible_to(request.user), pk=delegation_pk)
    if request.method != "POST":
        if not (can_manage_for(request.user, delegation.principal) or request.user.pk == delegation.created_by_id):
            raise PermissionDenied(_("只有被代理人本人、设立代理的人或秘书处可以撤销代理。"))
        local = timezone.localtime
        return render(request, "infoflow/confirm.html", {
            "title": _("撤销代理"), "button": _("确认撤销"), "danger": True,
            "back_url": reverse("infoflow:delegations"),
            "question": _("撤销后，代理人将不能再代为处理审核和反馈。确定撤销这项代理吗？"),
            "details": [
                (_("被代理人"), delegation.principal.get_full_name() or delegation.principal.username),
                (_("代理人"), delegation.deputy.get_full_name() or delegation.deputy.username),
                (_("期间"), "%s — %s" % (local(delegation.start).strftime("%Y-%m-%d %H:%M"),
                                       local(delegation.end).strftime("%Y-%m-%d %H:%M"))),
            ],
        })
    try:
        with service_errors(request):
            revoke_delegation(delegation=delegation, actor=request.user)
    except ServiceFailed:
        pass
    else:
        messages.success(request, _("已撤销代理。"))
    return redirect("infoflow:delegations")
