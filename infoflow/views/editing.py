"""Drafting: new and edit item, with the route preview (htmx fragment, or a
plain "预览路线" button without JavaScript)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.uploads import PendingUploads
from officers.models import OrgUnit
from officers.roles import roles_of

from ..forms import ItemForm
from ..models import Category, Item
from ..permissions import can_edit, draft_refusal, refusal
from ..services import chain, drafting, routing
from .actions import submitted_message
from .common import ServiceFailed, get_item, service_errors
from .review_edit import review_edit


def drafting_units(user):
    """Units the user may draft for: their officer posts (the secretariat may
    draft for any unit)."""
    roles = roles_of(user)
    units = OrgUnit.objects.filter(is_active=True)
    if roles.is_secretariat or user.is_superuser:
        return units
    return units.filter(pk__in=roles.officer_unit_ids | roles.headed_unit_ids)


def preview_item(form, instance=None):
    """An unsaved item built from whatever the form holds, valid or not, so
    the route can be previewed while drafting."""
    data = form.data
    item = Item(pk=None)
    if instance is not None:
        for field in Item._meta.concrete_fields:
            if not field.primary_key:
                setattr(item, field.attname, getattr(instance, field.attname))
    elif getattr(form, "user", None) is not None:
        # A new item's initiator is the person drafting it: the preview applies
        # the separation of duties to them as submission will (infoflow.separation).
        item.initiator_id = form.user.pk
    units = form.fields["unit"].queryset
    unit_id = data.get("unit") or (instance.unit_id if instance else None)
    if unit_id and str(unit_id).isdigit():
        item.unit = units.filter(pk=unit_id).select_related("head", "supervising_leader").first()
    for name in ("direction", "kind"):
        if data.get(name):
            setattr(item, name, data[name])
    category = data.get("category")
    item.category = Category.objects.filter(pk=category).first() if category and category.isdigit() else None
    for flag in ("is_major", "has_legal_effect", "needs_coordination", "to_all_staff"):
        setattr(item, flag, data.get(flag) in ("on", "true", "1", "True"))
    item.release_channels = ",".join(data.getlist("release_channels")) if hasattr(data, "getlist") else ""
    return item


def route_context(form, instance=None):
    item = preview_item(form, instance)
    if item.unit_id is None:
        return {"route": None, "route_problem": _("请选择发起部门后预览路线。")}
    data = form.data
    # The heads of every receiving department decide some stages: preview
    # with the units picked on the form, not those saved.
    unit_ids = [int(u) for u in (data.getlist("receiver_units") if hasattr(data, "getlist") else []) if u.isdigit()]
    return {"route": routing.preview_route(item, receiver_unit_ids=unit_ids), "route_problem": ""}


def _render_form(request, form, item=None, preview=None):
    context = {"form": form, "item": item}
    if item is not None:
        context["attachments"] = item.attachments.filter(purpose="item").order_by("pk")
    if preview is not None:
        context.update(preview)
    elif request.method == "GET" and item is not None:
        context.update({"route": routing.preview_route(item), "route_problem": ""})
    return render(request, "infoflow/item_form.html", context)


@login_required
def item_create(request):
    units = drafting_units(request.user)
    if not units.exists():
        raise PermissionDenied(draft_refusal())
    if request.method != "POST":
        form = ItemForm(user=request.user, units=units, initial={"unit": units.first()})
        return _render_form(request, form, preview=route_context(ItemForm(user=request.user, units=units, data={"unit": units.first().pk})))
    form = ItemForm(request.POST, request.FILES, user=request.user, units=units, pending=PendingUploads(request))
    if "preview" in request.POST:
        form.is_valid()
        form.keep_uploads()
        return _render_form(request, form, preview=route_context(form))
    # One submission is one item (issue 10 §6.1): the form checks what
    # submitting needs before anything is saved, and the draft and its
    # submission commit together, so a refused submission leaves no draft
    # behind and the corrected one does not make a second item. The files
    # come back with the form (liaison.uploads).
    if not form.is_valid():
        return _render_form(request, form, preview=route_context(form))
    try:
        with service_errors(request), transaction.atomic():
            item = drafting.create_item(
                actor=request.user,
                unit=form.cleaned_data["unit"],
                fields=form.item_fields(),
                receivers=form.receivers(),
                files=form.uploads("files"),
            )
            if "submit" in request.POST:
                chain.submit_item(item=item, actor=request.user)
    except ServiceFailed:
        form.keep_uploads()
        return _render_form(request, form, preview=route_context(form))
    form.discard_pending()
    if "submit" in request.POST:
        item.refresh_from_db()
        messages.success(request, submitted_message(item))
    else:
        messages.success(request, _("草稿已保存。"))
    return redirect("infoflow:item-detail", pk=item.pk)


@login_required
def item_edit(request, pk):
    item = get_item(request, pk)
    if not can_edit(request.user, item):
        raise PermissionDenied(refusal(request.user, "edit", item))
    if item.state == Item.State.IN_REVIEW:
        # The reviewer's edit: the text only, as update_item accepts in review.
        return review_edit(request, item)
    units = OrgUnit.objects.filter(pk=item.unit_id)
    if request.method != "POST":
        form = ItemForm(instance=item, user=request.user, units=units)
        return _render_form(request, form, item=item)
    form = ItemForm(
        request.POST, request.FILES, instance=item, user=request.user, units=units, pending=PendingUploads(request)
    )
    original = Item.objects.get(pk=item.pk)  # the form mutates its instance while validating
    if "preview" in request.POST:
        form.is_valid()
        form.keep_uploads()
        return _render_form(request, form, item=original, preview=route_context(form, original))
    if not form.is_valid():
        return _render_form(request, form, item=original, preview=route_context(form, original))
    try:
        # As on create: the edit, its files and the submission are one change.
        with service_errors(request), transaction.atomic():
            drafting.update_item(
                item=original, actor=request.user, fields=form.item_fields(), receivers=form.receivers()
            )
            for upload in form.uploads("files"):
                drafting.add_attachment(item=original, actor=request.user, upload=upload)
            if "submit" in request.POST:
                chain.submit_item(item=original, actor=request.user)
    except ServiceFailed:
        form.keep_uploads()
        original = Item.objects.get(pk=item.pk)
        return _render_form(request, form, item=original, preview=route_context(form, original))
    form.discard_pending()
    messages.success(request, _("信息已提交。") if "submit" in request.POST else _("修改已保存。"))
    return redirect("infoflow:item-detail", pk=item.pk)


@login_required
@require_POST
def route_preview(request):
    """The route fragment for the htmx preview while drafting (the page's
    form posts here on every change of a route input)."""
    units = drafting_units(request.user)
    form = ItemForm(request.POST, user=request.user, units=units)
    instance = None
    item_pk = request.POST.get("item")
    if item_pk and item_pk.isdigit():
        instance = get_item(request, int(item_pk))
        form.fields["unit"].queryset = OrgUnit.objects.filter(pk=instance.unit_id)
    return render(request, "infoflow/_route_preview.html", route_context(form, instance))
