"""The incoming-document register (收文): the secretariat registers documents
from government or a superior and assigns them to departments."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.uploads import PendingUploads

from .. import selectors
from ..forms import IncomingForm
from ..permissions import can_register_incoming
from ..services import incoming
from .common import ServiceFailed, paginate, service_errors
from ..export_views import log_export_url
from .lists import filter_form


@login_required
def incoming_register(request):
    form = filter_form(request)
    page = paginate(request, form.filter(selectors.incoming_register(request.user)))
    return render(request, "infoflow/incoming_register.html", {
        "page": page, "form": form, "now": timezone.now(),
        "may_register": can_register_incoming(request.user),
        "export_url": log_export_url(form, "incoming"),
    })


@login_required
def incoming_create(request):
    if not can_register_incoming(request.user):
        raise PermissionDenied(_("只有秘书处可以登记收文；收到上级或外部来文请交秘书处登记。"))
    # The scan comes back with a form that has an error (liaison.uploads).
    form = IncomingForm(request.POST or None, request.FILES or None, pending=PendingUploads(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with service_errors(request):
                item = incoming.register_incoming(
                    actor=request.user, fields=form.item_fields(), source_name=data["source_unit"].name,
                    source_reference=data.get("source_reference") or "", received_at=data["received_at"],
                    unit_ids=[unit.pk for unit in data["units"]], files=form.uploads("files"),
                )
        except ServiceFailed:
            form.keep_uploads()
        else:
            form.discard_pending()
            messages.success(request, _("收文 %(number)s 已登记并分送承办部门。") % {"number": item.number or ""})
            return redirect("infoflow:item-detail", pk=item.pk)
    return render(request, "infoflow/incoming_form.html", {"form": form})
