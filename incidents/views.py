"""Pages of the incident register. Thin: fetch through
``incidents_visible_to`` (an incident the user may not see is the same 404
as a missing one), validate with a form, call one service, turn its error
into a message and re-render with what was typed."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoflow.visibility import items_visible_to

from . import selectors, services
from .errors import IncidentError
from .forms import AssignForm, CloseForm, EntryForm, IncidentForm, LinkForm, ReopenForm, SeverityForm, split_refs
from .models import Incident, Severity

PAGE = 20


@login_required
def incident_list(request):
    """The incidents the user may see (all for the secretariat and supervision; one's own otherwise)."""
    q = (request.GET.get("q") or "").strip()
    qs = selectors.search(selectors.incidents_visible_to(request.user), q=q, state=request.GET.get("state", ""),
                          severity=request.GET.get("severity", ""))
    page = Paginator(qs.order_by("-found_at", "-pk"), PAGE).get_page(request.GET.get("page"))
    return render(request, "incidents/list.html", {
        "page": page, "q": q, "states": Incident.State.choices, "severities": Severity.objects.all(),
        "oversees": selectors.oversees_incidents(request.user), "now": timezone.now()})


@login_required
def incident_new(request):
    """Any member of staff registers an incident they found or were told of."""
    form = IncidentForm(request.POST or None, initial={
        "found_by": request.user.get_full_name() or request.user.username})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.report_incident(
                actor=request.user, title=data["title"], description=data["description"], found_at=data["found_at"],
                found_by=data["found_by"], system=data["system"], severity=data["severity"],
                item_refs=split_refs(data["items"]))
        except IncidentError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("安全事件 %(number)s 已登记，秘书处和监督人员已收到通知。") % {
                "number": incident.number})
            return redirect("incidents:detail", incident.pk)
    return render(request, "incidents/new.html", {"form": form})


def _incident(request, pk) -> Incident:
    return get_object_or_404(selectors.incidents_visible_to(request.user), pk=pk)


@login_required
def incident_detail(request, pk):
    return _render_detail(request, _incident(request, pk))


def _render_detail(request, incident, bound: dict | None = None):
    """The incident page; ``bound`` puts a submitted form (errors and input kept) in place of the blank one."""
    user = request.user
    links = list(incident.item_links.order_by("pk").values_list("item_id", flat=True))
    visible = {item.pk: item for item in items_visible_to(user).filter(pk__in=links).only("pk", "number", "subject")}
    manages = selectors.manages_incidents(user)
    handles = selectors.handles(user, incident)
    forms = {
        "assign_form": AssignForm(initial={"handler": incident.handler_id}),
        "severity_form": SeverityForm(initial={"severity": incident.severity_id}),
        "entry_form": EntryForm(initial={"at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}),
        "link_form": LinkForm(), "close_form": CloseForm(), "reopen_form": ReopenForm(),
    }
    forms.update(bound or {})
    return render(request, "incidents/detail.html", {
        "incident": incident, "entries": incident.entries.select_related("by"),
        "items": [visible[pk] for pk in links if pk in visible], "hidden_items": sum(pk not in visible for pk in links),
        "manages": manages, "handles": handles, "may_reopen": selectors.may_reopen(user),
        "may_link": handles or incident.reporter_id == user.pk, "now": timezone.now(), **forms})


def _act(request, pk, form_class, form_name, call):
    """POST a form to one service: back to the page on success, the page with the form and message on refusal."""
    incident = _incident(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            message = call(incident, form.cleaned_data)
        except IncidentError as error:
            messages.error(request, error.message)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, message)
            return redirect("incidents:detail", incident.pk)
    incident.refresh_from_db()
    return _render_detail(request, incident, {form_name: form})


@login_required
@require_POST
def assign(request, pk):
    def call(incident, data):
        services.assign_handler(incident=incident, actor=request.user, handler=data["handler"])
        return _("已指派处置人。")
    return _act(request, pk, AssignForm, "assign_form", call)


@login_required
@require_POST
def severity(request, pk):
    def call(incident, data):
        services.set_severity(incident=incident, actor=request.user, severity=data["severity"])
        return _("已调整事件等级，处置时限已重新计算。")
    return _act(request, pk, SeverityForm, "severity_form", call)


@login_required
@require_POST
def entry(request, pk):
    def call(incident, data):
        services.add_entry(incident=incident, actor=request.user, kind=data["kind"], text=data["text"],
                           at=data["at"], reported_to=data["reported_to"])
        return _("已添加处置记录。")
    return _act(request, pk, EntryForm, "entry_form", call)


@login_required
@require_POST
def link(request, pk):
    def call(incident, data):
        links = services.link_items(incident=incident, actor=request.user, item_refs=split_refs(data["items"]))
        return _("已关联 %(n)d 条信息。") % {"n": len(links)}
    return _act(request, pk, LinkForm, "link_form", call)


@login_required
def close(request, pk):
    """A confirm page (closing stops the reminders), then the service."""
    incident = _incident(request, pk)
    if not selectors.handles(request.user, incident):
        raise PermissionDenied
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_incident(incident=incident, actor=request.user, conclusion=form.cleaned_data["conclusion"])
        except IncidentError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("安全事件已结案。"))
            return redirect("incidents:detail", incident.pk)
    return render(request, "incidents/close.html", {"incident": incident, "form": form})


@login_required
@require_POST
def reopen(request, pk):
    def call(incident, data):
        services.reopen_incident(incident=incident, actor=request.user, reason=data["reason"])
        return _("安全事件已重新打开。")
    return _act(request, pk, ReopenForm, "reopen_form", call)
