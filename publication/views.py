"""Publication pages: the bulletin (/bulletin/, any signed-in staff member),
the publisher's desk, release and plan forms, the release calendar and the
correction form. Thin: selectors fetch (404 for what the user may not see),
services decide."""
from __future__ import annotations

import calendar
import datetime

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoflow.visibility import items_visible_to
from liaison.errors import LiaisonError

from .forms import CorrectionForm, FeedbackForm, PlanForm, ReleaseForm
from .models import BulletinCategory, Channel, ReleasePlan
from .selectors import (approved_corrections, bulletin_page, bulletin_records, bulletin_releases, bulletin_views,
                        desk_page, is_publisher, may_record_on, release_calendar)
from .services import corrections, feedback, release

PAGE = 20


def _with_views(queryset):
    return queryset.annotate(views=bulletin_views())


@login_required
def bulletin(request):
    """Public released items by category, newest first, searchable, paged."""
    categories = list(BulletinCategory.objects.filter(is_active=True))
    code = request.GET.get("c", "")
    current = next((c for c in categories if c.code == code), None)
    query = request.GET.get("q", "").strip()[:100]
    page = bulletin_page(category=current, query=query, number=request.GET.get("page"), per_page=PAGE)
    return render(request, "publication/bulletin.html", {
        "categories": categories, "current": current, "query": query, "page": page,
        "publisher": is_publisher(request.user),
    })


def _seen_key(pk):
    return "bulletin_seen_%d" % pk


@login_required
def bulletin_detail(request, pk):
    """One release on the bulletin: text, views, corrections, feedback."""
    entry = get_object_or_404(_with_views(bulletin_releases()), pk=pk)
    record = bulletin_records().filter(release=entry).first()
    if record is not None and not request.session.get(_seen_key(pk)):
        release.count_view(record=record)  # once per reader's session
        request.session[_seen_key(pk)] = True
        entry.views = (entry.views or 0) + 1
    corrects = getattr(entry.item, "correction_of", None) if hasattr(entry.item, "correction_of") else None
    original_entry = None
    if corrects is not None:
        original_entry = bulletin_releases().filter(item_id=corrects.original_id).first()
    return render(request, "publication/bulletin_detail.html", {
        "entry": entry, "item": entry.item, "corrections": approved_corrections(entry),
        "corrects": corrects, "original_entry": original_entry,
        "feedback": entry.feedback.select_related("author").order_by("-created_at", "-pk")[:50],
        "form": FeedbackForm(), "records": entry.records.filter(channel_kind__in=("bulletin", "outside")),
    })


@login_required
@require_POST
def bulletin_feedback(request, pk):
    entry = get_object_or_404(bulletin_releases(), pk=pk)
    form = FeedbackForm(request.POST)
    text = request.POST.get("text", "")
    try:
        feedback.leave_feedback(actor=request.user, release=entry, text=text)
    except LiaisonError as error:
        messages.error(request, error.message)
        return render(request, "publication/feedback_form.html", {"entry": entry, "form": form}, status=400)
    messages.success(request, _("感谢您的反馈。"))
    return redirect("publication:bulletin-detail", pk=entry.pk)


def _publisher_channels(user):
    return [c for c in Channel.objects.filter(is_active=True).select_related("distribution_list")
            if may_record_on(user, c)]


@login_required
def desk(request):
    """The publisher's desk: approved publication items and where they went."""
    if not is_publisher(request.user):
        raise PermissionDenied
    query = request.GET.get("q", "").strip()[:100]
    page = desk_page(request.user, query=query, number=request.GET.get("page"), per_page=PAGE)
    return render(request, "publication/desk.html", {"page": page, "query": query})


@login_required
def release_item(request, item_pk):
    """Record a release of an item on one channel."""
    item = get_object_or_404(items_visible_to(request.user), pk=item_pk)
    channels = _publisher_channels(request.user)
    if not channels:
        raise PermissionDenied
    refusal = release.release_refusal(item)
    existing = list(item.release.records.all()) if hasattr(item, "release") else []
    form = ReleaseForm(request.POST or None, request.FILES or None, channels=channels,
                       initial={"category": getattr(getattr(item, "release", None), "category_id", None)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = release.record_release(
                actor=request.user, item=item, channel=data["channel"], category=data["category"],
                link=data["link"], evidence=data["evidence"], note=data["note"], released_at=data["released_at"],
            )
        except LiaisonError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已记录在“%(channel)s”的发布。") % {"channel": record.channel_name})
            return redirect("publication:release", item_pk=item.pk)
    return render(request, "publication/release_form.html", {
        "item": item, "form": form, "refusal": refusal, "records": existing,
        "recheck": release.recheck_required(item),
    }, status=400 if form.errors else 200)


@login_required
def plan_item(request, item_pk):
    """Make or change the release plan of an important item."""
    if not is_publisher(request.user):
        raise PermissionDenied
    item = get_object_or_404(items_visible_to(request.user), pk=item_pk)
    plan = ReleasePlan.objects.filter(release__item=item).prefetch_related("channels").first()
    initial = {}
    if plan is not None:
        initial = {"planned_on": plan.planned_on, "channels": list(plan.channels.all()),
                   "person_in_charge": plan.person_in_charge_id, "preparation": plan.preparation}
    people = get_user_model().objects.filter(is_active=True).order_by("username")
    form = PlanForm(request.POST or None, people=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            release.plan_release(actor=request.user, item=item, planned_on=data["planned_on"],
                                 channels=data["channels"], person_in_charge=data["person_in_charge"],
                                 preparation=data["preparation"], category=data["category"])
        except LiaisonError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("发布方案已保存。"))
            return redirect("publication:calendar")
    return render(request, "publication/plan_form.html", {"item": item, "form": form, "plan": plan},
                  status=400 if form.errors else 200)


def _month(raw: str) -> datetime.date:
    try:
        year, month = (int(p) for p in raw.split("-"))
        return datetime.date(year, month, 1)
    except (ValueError, TypeError):
        return timezone.localdate().replace(day=1)


@login_required
def release_calendar_view(request):
    """Planned and done releases of a month by channel."""
    if not (is_publisher(request.user) or Channel.objects.filter(manager=request.user).exists()):
        raise PermissionDenied
    first = _month(request.GET.get("month", ""))
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = last + datetime.timedelta(days=1)
    rows = release_calendar(request.user, first=first, last=last)
    return render(request, "publication/calendar.html", {
        "rows": rows, "first": first, "previous": previous, "following": following,
    })


@login_required
def correct_item(request, item_pk):
    """Register a correction or retraction of a released item (a new draft linked to it)."""
    item = get_object_or_404(items_visible_to(request.user), pk=item_pk)
    if not corrections.may_correct(request.user, item):
        raise PermissionDenied
    form = CorrectionForm(request.POST or None, initial={"subject": _("关于“%(subject)s”的更正") % {"subject": item.subject}})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            correction = corrections.create_correction(actor=request.user, original=item, kind=data["kind"],
                                                       subject=data["subject"], summary=data["summary"])
        except LiaisonError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已登记%(kind)s，请提交审核。") % {"kind": correction.get_kind_display()})
            return redirect("infoflow:item-detail", pk=correction.item_id)
    return render(request, "publication/correction_form.html", {"item": item, "form": form},
                  status=400 if form.errors else 200)
