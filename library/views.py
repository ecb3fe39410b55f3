"""Pages of the information library and the departments' information needs.
Thin: fetch through a selector (an entry one may not see is a 404), validate
with a form, call one service, turn its error into a message and re-render
with what was typed."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoflow.models import Confidentiality
from infoflow.views.common import paginate_counted
from infoflow.visibility import can_view, items_visible_to
from liaison import audit, preview
from liaison.errors import LibraryError
from liaison.uploads import PendingUploads
from officers.models import OrgUnit
from officers.roles import roles_of

from . import list_sql, selectors, services
from .forms import EntryForm, FileItemForm, NeedForm, WithdrawForm
from .models import Entry
from .search import search

PAGE = 20


def _entry(request, pk) -> Entry:
    return get_object_or_404(selectors.entries_visible_to(request.user), pk=pk)


def _record_view(request, entry) -> None:
    if entry.is_restricted:  # opening a restricted entry leaves an audit row, as for items
        audit.record(audit.Action.VIEW_RESTRICTED, user=request.user, request=request, obj=entry,
                     detail="library:%d" % entry.pk)


@login_required
def entry_list(request):
    """The library: search, filters (category, department, validity), newest and featured first."""
    user, get = request.user, request.GET
    q = (get.get("q") or "").strip()[:200]
    curator = selectors.may_curate(user)
    filters = {"category": get.get("category", ""), "department": get.get("department", ""),
               "validity": get.get("validity", ""),
               "state": get.get("state", "") if curator or get.get("state") == "withdrawn" else "",
               "featured": get.get("featured") == "1"}
    today = timezone.localdate()
    # The rows through SQL compiled once per shape of user and filters, the
    # request binding its ids, day and search (library.list_sql); the ORM's
    # path where it does not answer. The rows carry the list's count (one
    # query, not a COUNT and the rows) as plain values; the filters' choices
    # as pairs (issue 12).
    page = list_sql.page(request, q=q, today=today, **filters)
    if page is None:
        qs = selectors.filter_entries(selectors.entries_visible_to(user), today=today, **filters)
        page = paginate_counted(request, selectors.list_values(search(qs, q)))
    departments = list_sql.departments()
    return render(request, "library/list.html", {
        "page": page, "q": q, "categories": list_sql.categories(),
        "today": today, "departments": departments,
        "may_add": selectors.may_add(user, active_unit_ids=[pk for pk, _name in departments]), "curator": curator,
        "validity": selectors.VALIDITY, "needs": bool(selectors.need_units(user)) or curator})


@login_required
def entry_detail(request, pk):
    entry = _entry(request, pk)
    _record_view(request, entry)
    user = request.user
    source = entry.source_item if entry.source_item_id and can_view(user, entry.source_item) else None
    return render(request, "library/detail.html", {
        "entry": entry, "files": entry.files.select_related("uploaded_by"), "units": entry.units.all(),
        "source": source, "may_edit": selectors.may_edit(user, entry) and entry.state == Entry.State.ACTIVE,
        "curator": selectors.may_curate(user), "withdraw_form": WithdrawForm(), "today": timezone.localdate(),
        "history": entry.history.select_related("history_user").order_by("-history_date")[:20]})


def _entry_fields(data) -> dict:
    return {name: data.get(name) for name in services.ENTRY_FIELDS if name in data}


@login_required
def entry_new(request):
    if not selectors.may_add(request.user):
        raise PermissionDenied
    form = EntryForm(request.POST or None, request.FILES or None, user=request.user,
                     pending=PendingUploads(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.create_entry(actor=request.user, department=data["department"],
                                          fields=_entry_fields(data), units=data.get("units") or (),
                                          files=form.uploads("files"))
        except LibraryError as error:
            form.keep_uploads()
            messages.error(request, error.message)
        else:
            form.discard_pending()
            messages.success(request, _("资料已录入。"))
            return redirect("library:entry", entry.pk)
    return render(request, "library/form.html", {"form": form, "entry": None})


@login_required
def entry_edit(request, pk):
    entry = _entry(request, pk)
    if not selectors.may_edit(request.user, entry):
        raise PermissionDenied
    initial = {name: getattr(entry, name) for name in services.ENTRY_FIELDS}
    initial["units"] = list(entry.units.values_list("pk", flat=True))
    form = EntryForm(request.POST or None, request.FILES or None, user=request.user, entry=entry, initial=initial,
                     pending=PendingUploads(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = _entry_fields(data)
        fields.setdefault("confidentiality", entry.confidentiality)
        try:
            services.update_entry(actor=request.user, entry=entry, fields=fields, units=data.get("units") or (),
                                  files=form.uploads("files"), remove_files=data.get("remove_files") or ())
        except LibraryError as error:
            form.keep_uploads()
            messages.error(request, error.message)
        else:
            form.discard_pending()
            messages.success(request, _("资料已更新。"))
            return redirect("library:entry", entry.pk)
    return render(request, "library/form.html", {"form": form, "entry": entry})


def _act(request, pk, action):
    entry = _entry(request, pk)
    try:
        action(entry)
    except LibraryError as error:
        messages.error(request, error.message)
    return redirect("library:entry", entry.pk)


@login_required
def entry_withdraw(request, pk):
    """Confirm page (GET) and the withdrawal with its reason (POST), secretariat."""
    entry = _entry(request, pk)
    if not selectors.may_curate(request.user):
        raise PermissionDenied
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_entry(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
        except LibraryError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("资料已撤回。"))
            return redirect("library:entry", entry.pk)
    return render(request, "library/withdraw.html", {"entry": entry, "form": form})


@login_required
@require_POST
def entry_restore(request, pk):
    def restore(entry):
        services.restore_entry(actor=request.user, entry=entry)
        messages.success(request, _("资料已恢复在用。"))

    return _act(request, pk, restore)


@login_required
@require_POST
def entry_feature(request, pk):
    featured = request.POST.get("featured") == "1"

    def feature(entry):
        services.set_featured(actor=request.user, entry=entry, featured=featured)
        messages.success(request, _("已推荐。") if featured else _("已取消推荐。"))

    return _act(request, pk, feature)


@login_required
def entry_file(request, pk, file_pk):
    """An attachment, only for users who may see the entry, always as a download;
    PDFs and images of internal and restricted entries watermarked (issue 18 §4)."""
    entry = _entry(request, pk)
    row = get_object_or_404(entry.files, pk=file_pk)
    _record_view(request, entry)
    content_type = row.content_type or "application/octet-stream"
    try:
        handle = row.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    if entry.confidentiality != Confidentiality.PUBLIC:
        with handle:
            data = handle.read()
        return preview.download_response(data=data, filename=row.original_name,
                                         mark=preview.watermark_text(request.user), content_type=content_type)
    return FileResponse(handle, as_attachment=True, filename=row.original_name, content_type=content_type)


@login_required
@require_POST
def file_item(request, item_pk):
    """存入资料库 from an item page (the panel of library.panels)."""
    item = get_object_or_404(items_visible_to(request.user), pk=item_pk)
    form = FileItemForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("请选择资料类别和负责部门。"))
        return redirect("infoflow:item-detail", item.pk)
    try:
        entry = services.file_item(actor=request.user, item=item, category=form.cleaned_data["category"],
                                   department=form.cleaned_data["department"])
    except LibraryError as error:
        messages.error(request, error.message)
        return redirect("infoflow:item-detail", item.pk)
    messages.success(request, _("已存入资料库，可在此补充有效期等信息。"))
    return redirect("library:entry", entry.pk)


# --- needs ------------------------------------------------------------------------


@login_required
def need_list(request):
    """My department's information needs (officers and heads; the secretariat and supervision read all)."""
    user = request.user
    units = OrgUnit.objects.filter(pk__in=sorted(selectors.need_units(user)), is_active=True)
    if not units.exists() and not roles_of(user).sees_everything_unrestricted:
        raise PermissionDenied
    form = NeedForm(request.POST or None, units=units) if units.exists() else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.save_need(actor=user, unit=data["unit"], title=data["title"], categories=data["categories"],
                                   item_categories=data["item_categories"], keywords=data["keywords"])
            except LibraryError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("信息需求已保存；符合的新资料和信息会提醒本部门联络员。"))
                return redirect("library:needs")
    rows = selectors.needs_visible_to(user).order_by("-active", "unit__sort_order", "unit__code", "-created_at")
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    return render(request, "library/needs.html", {"page": page, "form": form,
                                                  "mine": selectors.need_units(user)})


@login_required
def need_edit(request, pk):
    need = get_object_or_404(selectors.needs_visible_to(request.user), pk=pk)
    if not selectors.may_state_need(request.user, need.unit_id):
        raise PermissionDenied
    units = OrgUnit.objects.filter(pk=need.unit_id)
    initial = {"unit": need.unit_id, "title": need.title, "keywords": need.keywords,
               "categories": list(need.categories.all()), "item_categories": list(need.item_categories.all())}
    form = NeedForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_need(actor=request.user, unit=need.unit, need=need, title=data["title"],
                               categories=data["categories"], item_categories=data["item_categories"],
                               keywords=data["keywords"])
        except LibraryError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("信息需求已更新。"))
            return redirect("library:needs")
    return render(request, "library/need_edit.html", {"form": form, "need": need})


@login_required
def need_close(request, pk):
    """Confirm page (GET) and closing (POST) of a need of one's department."""
    need = get_object_or_404(selectors.needs_visible_to(request.user), pk=pk)
    if not selectors.may_state_need(request.user, need.unit_id):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.close_need(actor=request.user, need=need)
        except LibraryError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("信息需求已关闭。"))
        return redirect("library:needs")
    return render(request, "library/need_close.html", {"need": need})
