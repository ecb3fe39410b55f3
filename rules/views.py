"""Pages of the rules (issue 19 §5). Every row is fetched through
rules.selectors (a row the user may not see is the same 404 as a missing
one); the services decide what may be done."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.preview import download_response, watermark_text

from . import selectors, services
from .errors import RulesInvalid, RulesNotAllowed, RulesStateConflict
from .forms import DocumentForm, KeepForm, VersionForm
from .models import ReadConfirmation, RuleVersion

PAGE = 20


def _require_manager(user) -> None:
    if not selectors.manages_rules(user):
        raise PermissionDenied(_("只有秘书处可以维护制度。"))


@login_required
def document_list(request):
    query = request.GET.get("q", "").strip()
    page = Paginator(selectors.document_list(request.user, query), PAGE).get_page(request.GET.get("page"))
    return render(request, "rules/document_list.html", {
        "page": page, "q": query, "manages": selectors.manages_rules(request.user),
        "pending": selectors.pending_for(request.user).count()})


@login_required
def pending(request):
    page = Paginator(selectors.pending_for(request.user), PAGE).get_page(request.GET.get("page"))
    return render(request, "rules/pending.html", {"page": page})


def _my_confirmation(user, version):
    return ReadConfirmation.objects.filter(version=version, user_id=user.pk).first()


@login_required
def document_detail(request, pk):
    doc = get_object_or_404(selectors.documents_visible_to(request.user), pk=pk)
    versions = list(selectors.versions_visible_to(request.user).filter(document=doc)
                    .order_by("-published_at", "-pk"))
    current = next((v for v in versions if v.is_current), None)
    return render(request, "rules/document_detail.html", {
        "doc": doc, "versions": versions, "current": current,
        "mine": _my_confirmation(request.user, current) if current else None,
        "manages": selectors.manages_rules(request.user),
        "has_draft": any(v.state == RuleVersion.State.DRAFT for v in versions),
        "sees_receipts": current is not None and selectors.sees_receipts_of(request.user, current),
        "keep_form": KeepForm()})


@login_required
def version_detail(request, pk):
    version = get_object_or_404(selectors.versions_visible_to(request.user), pk=pk)
    current = selectors.current_version(version.document) if not version.is_current else version
    return render(request, "rules/version_detail.html", {
        "version": version, "doc": version.document, "current": current,
        "mine": _my_confirmation(request.user, version),
        "manages": selectors.manages_rules(request.user),
        "sees_receipts": selectors.sees_receipts_of(request.user, version)})


@login_required
def version_file(request, pk):
    version = get_object_or_404(selectors.versions_visible_to(request.user), pk=pk)
    if not version.file:
        raise Http404
    with version.file.open("rb") as handle:
        data = handle.read()
    return download_response(data=data, filename=version.file_name or version.file.name.rsplit("/", 1)[-1],
                             mark=watermark_text(request.user))


@login_required
def document_new(request):
    _require_manager(request.user)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services.create_document(
                actor=request.user, code=data["code"], title=data["title"], owner_unit=data["owner_unit"],
                description=data["description"], revise_every_months=data["revise_every_months"],
                confirm_within_days=data["confirm_within_days"], number=data["number"],
                effective_on=data["effective_on"], text=data["text"], upload=data["upload"], changes=data["changes"])
        except RulesInvalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("制度草稿已保存。核对后请发布。"))
            return redirect("rules:version", pk=version.pk)
    return render(request, "rules/document_form.html", {"form": form})


@login_required
def version_new(request, pk):
    _require_manager(request.user)
    doc = get_object_or_404(selectors.documents_visible_to(request.user), pk=pk)
    current = selectors.current_version(doc)
    initial = {"text": current.text} if current else {}
    form = VersionForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.draft_version(actor=request.user, document=doc, **_version_data(form))
        except RulesInvalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("新版本草稿已保存。核对后请发布。"))
            return redirect("rules:version", pk=version.pk)
    return render(request, "rules/version_form.html", {"form": form, "doc": doc, "current": current})


def _version_data(form) -> dict:
    data = form.cleaned_data
    return {"number": data["number"], "effective_on": data["effective_on"], "text": data["text"],
            "upload": data["upload"], "changes": data["changes"]}


@login_required
def version_edit(request, pk):
    _require_manager(request.user)
    version = get_object_or_404(selectors.versions_visible_to(request.user), pk=pk)
    if version.state != RuleVersion.State.DRAFT:
        messages.error(request, _("已发布的版本不能修改，请起草新版本。"))
        return redirect("rules:version", pk=version.pk)
    form = VersionForm(request.POST or None, request.FILES or None, initial={
        "number": version.number, "effective_on": version.effective_on, "text": version.text,
        "changes": version.changes})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_draft(actor=request.user, version=version, **_version_data(form))
        except (RulesInvalid, RulesStateConflict) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("草稿已保存。"))
            return redirect("rules:version", pk=version.pk)
    return render(request, "rules/version_form.html", {"form": form, "doc": version.document, "version": version})


@login_required
def version_publish(request, pk):
    """A confirm page (GET), then the publication (POST)."""
    _require_manager(request.user)
    version = get_object_or_404(selectors.versions_visible_to(request.user), pk=pk)
    if request.method == "POST":
        try:
            services.publish_version(actor=request.user, version=version)
        except RulesStateConflict as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已发布，联络员将收到阅读确认通知。"))
        return redirect("rules:version", pk=version.pk)
    return render(request, "rules/publish_confirm.html", {
        "version": version, "doc": version.document, "current": selectors.current_version(version.document)})


@login_required
@require_POST
def version_confirm(request, pk):
    version = get_object_or_404(selectors.versions_visible_to(request.user), pk=pk)
    try:
        services.confirm_reading(actor=request.user, version=version)
    except RulesNotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except RulesStateConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已确认阅读《%(title)s》%(number)s。") % {
            "title": version.document.title, "number": version.number})
    return redirect("rules:version", pk=version.pk)


@login_required
@require_POST
def document_keep(request, pk):
    _require_manager(request.user)
    doc = get_object_or_404(selectors.documents_visible_to(request.user), pk=pk)
    form = KeepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请说明本次无需修订的理由（90 字以内）。"))
        return redirect("rules:document", pk=doc.pk)
    try:
        doc = services.keep_in_force(actor=request.user, document=doc, note=form.cleaned_data["note"])
    except (RulesInvalid, RulesStateConflict) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已确认继续施行，下次修订日期 %(date)s。") % {
            "date": doc.revision_due_on.strftime("%Y-%m-%d")})
    return redirect("rules:document", pk=doc.pk)


@login_required
def version_receipts(request, pk):
    """Who has and has not confirmed a version: the secretariat, HR and
    supervision all officers; a head their units' officers."""
    version = get_object_or_404(selectors.versions_visible_to(request.user), pk=pk)
    if not selectors.sees_receipts_of(request.user, version):
        raise Http404
    rows = selectors.confirmations_visible_to(request.user).filter(version=version)
    counts = selectors.receipt_counts(version, rows)
    state = request.GET.get("state", "")
    if state == "open":
        rows = rows.filter(confirmed_at__isnull=True)
    elif state == "confirmed":
        rows = rows.filter(confirmed_at__isnull=False)
    query = request.GET.get("q", "").strip()
    if query:
        rows = rows.filter(Q(user__first_name__icontains=query) | Q(user__last_name__icontains=query)
                           | Q(user__username__icontains=query) | Q(user__profile__unit__name__icontains=query))
    page = Paginator(rows.order_by("confirmed_at", "user__username", "pk"), PAGE).get_page(request.GET.get("page"))
    return render(request, "rules/receipts.html", {
        "version": version, "doc": version.document, "page": page, "counts": counts, "state": state, "q": query,
        "states": [("open", _("未确认")), ("confirmed", _("已确认"))]})
