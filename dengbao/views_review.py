"""The access review's pages (list and generate, one review's rows, its
workbook, the sign-off) and the audit archive batches' read-only pages.
Rules live in dengbao.access_review and dengbao.selectors; a review or batch
the user may not see is a 404 like one that does not exist."""
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import access_review, audit_archive, selectors
from .models import AccessReviewRow, AuditArchiveBatch

PER_PAGE = 50
INCIDENT_URL_NAMES = ("incidents:list", "incidents:register", "incidents:index")


def incident_register_url() -> str:
    """The security incident register's URL when the ``incidents`` app is
    installed (built separately); "" otherwise."""
    if not apps.is_installed("incidents"):
        return ""
    for name in INCIDENT_URL_NAMES:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return ""


@login_required
def reviews(request):
    """Every access review, newest first; the generate button (POST)."""
    if not access_review.may_read(request.user):
        raise Http404
    if request.method == "POST":
        if not access_review.may_generate(request.user):
            raise PermissionDenied
        try:
            review = access_review.generate_review(actor=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect("dengbao:reviews")
        messages.success(request, _("已生成 %(period)s 期访问权限复核。") % {"period": review.period})
        return redirect("dengbao:review", review.pk)
    page = Paginator(selectors.reviews_visible_to(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "dengbao/reviews.html", {
        "page": page,
        "may_generate": access_review.may_generate(request.user),
        "months": settings.ACCESS_REVIEW_MONTHS,
        "sign_days": settings.ACCESS_REVIEW_SIGN_DAYS,
        "incident_url": incident_register_url(),
    })


@login_required
def review(request, pk):
    """One review's rows, paginated, searchable by user, filterable by change."""
    review = get_object_or_404(selectors.reviews_visible_to(request.user), pk=pk)
    q = request.GET.get("q", "").strip()[:100]
    change = request.GET.get("change", "")
    page = Paginator(selectors.review_rows(review, q=q, change=change), PER_PAGE).get_page(request.GET.get("page"))
    labels = access_review.permission_labels()
    for row in page:
        row.shown = _shown(row, labels)
    return render(request, "dengbao/review.html", {
        "review": review,
        "period": access_review.period_label(review),
        "page": page,
        "q": q,
        "change": change,
        "changes": AccessReviewRow.Change.choices,
        "may_sign": access_review.may_sign(request.user) and not review.is_signed,
        "incident_url": incident_register_url(),
    })


def _shown(row, labels: dict[str, str]) -> dict:
    data = row.data or {}
    return {
        "roles": [access_review.role_label(c) for c in data.get("roles", ())],
        "groups": data.get("groups", ()),
        "units": [access_review.unit_text(u) for u in data.get("units", ())],
        "restricted": [access_review.readable("restricted", v) for v in data.get("restricted", ())],
        "perms": [labels.get(p, p) for p in data.get("perms", ()) if not p.startswith("obj:")],
        "object_counts": [(labels.get(name, name), n) for name, n in (data.get("object_counts") or {}).items()],
        "delegations": data.get("delegations", ()),
        "changes": access_review.changes_text(row.changes or {}, labels),
    }


@require_safe
@login_required
def review_xlsx(request, pk):
    review = get_object_or_404(selectors.reviews_visible_to(request.user), pk=pk)
    response = HttpResponse(access_review.export_workbook(actor=request.user, review=review),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="access-review-%s.xlsx"' % review.period
    return response


@login_required
def review_sign(request, pk):
    """Confirm, then sign the review off (the secretariat only)."""
    review = get_object_or_404(selectors.reviews_visible_to(request.user), pk=pk)
    if not access_review.may_sign(request.user):
        raise PermissionDenied
    if request.method == "POST":
        try:
            access_review.sign_review(actor=request.user, review=review, note=request.POST.get("note", ""))
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("已签核 %(period)s 期访问权限复核。") % {"period": review.period})
        return redirect("dengbao:review", review.pk)
    return render(request, "dengbao/review_sign.html", {
        "review": review, "period": access_review.period_label(review),
    })


# --- audit archive batches --------------------------------------------------------------


@require_safe
@login_required
def archive_batches(request):
    """The sealed audit archive batches (archive_audit), newest first; read-only."""
    if not selectors.may_see_archive_batches(request.user):
        raise Http404
    page = Paginator(selectors.archive_batches_visible_to(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "dengbao/archive_batches.html", {"page": page})


@require_safe
@login_required
def archive_batch(request, pk):
    """One batch: its range, file, hash and seal, and whether it verifies now."""
    batch = get_object_or_404(selectors.archive_batches_visible_to(request.user), pk=pk)
    previous = AuditArchiveBatch.objects.filter(number__lt=batch.number).order_by("-number").first()
    problem = audit_archive.verify_batch(batch, previous.seal if previous else "")
    return render(request, "dengbao/archive_batch.html", {"batch": batch, "previous": previous, "problem": problem})

