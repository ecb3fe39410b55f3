"""The lists: my items, my review inbox, my receiver inbox. Each runs the same
number of queries however many rows it has (tests/infoflow/test_list_queries.py)."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from liaison.data_labels import label as data_label

from .. import list_pages, selectors
from ..export_views import log_export_url
from ..filters import ItemFilterForm
from ..services import loop
from .common import paginate, paginate_counted

TAB_LABELS = {
    "drafts": _("草稿"),
    "in_review": _("审核中"),
    "returned": _("被退回"),
    "waiting": _("待传递/待反馈"),
    "done": _("已办结"),
}


def filter_form(request):
    return ItemFilterForm(request.GET or None)


@login_required
def my_items(request):
    bucket = request.GET.get("tab")
    if bucket not in selectors.BUCKETS:
        bucket = "drafts"
    form = filter_form(request)
    counts = selectors.my_item_counts(request.user)
    # Unfiltered, the tab's badge is the paginator's count: one query fewer.
    known = None if form.active_filters() else counts.get(bucket, 0)
    # Unfiltered, its rows through SQL compiled once per kind of user (list_pages).
    page = list_pages.my_items_page(request, bucket, known) if known is not None else None
    if page is None:
        rows = form.filter(selectors.my_items(request.user, bucket))
        page = paginate(request, rows, count=known) if known is not None else paginate_counted(request, rows)
    tabs = [(key, TAB_LABELS[key], counts.get(key, 0)) for key in selectors.BUCKETS]
    return render(
        request,
        "infoflow/my_items.html",
        {
            "page": page,
            "form": form,
            "tab": bucket,
            "tabs": tabs,
            "now": timezone.now(),
            "keep": [("tab", bucket)],
            "export_url": log_export_url(form, "mine:" + bucket),
            "export_what": TAB_LABELS[bucket],
        },
    )


@login_required
def review_inbox(request):
    form = filter_form(request)
    # Only narrow by the filters when some are set (the rows are the user's own assignments).
    items = form.filter(selectors.visible_items(request.user)) if form.active_filters() else None
    page = list_pages.review_inbox_page(request) if items is None else None
    if page is None:
        page = paginate_counted(request, selectors.review_inbox(request.user, items=items))
    batchable = batchable_steps(page)
    return render(
        request,
        "infoflow/review_inbox.html",
        {"page": page, "form": form, "now": timezone.now(), "export_url": log_export_url(form, "reviews"),
         # 批量同意 offers the page's steps that need no edit of the text (services.batch checks again).
         "batchable": batchable, "batch_checklist": batch_checklist(page, batchable),
         "batch_rows": batch_rows_html(page, batchable) if batchable else ""},
    )


def batch_rows_html(page, batchable):
    """The 批量同意 form's <li> for each of the page's batchable steps, as
    infoflow/_batch_approve.html wrote them in a template loop (issue 12)."""
    rows = [
        format_html('\n      <li><label><input type="checkbox" name="steps" value="{}"> <span>{} {} · {}</span>'
                    '</label></li>\n      ', step.pk, step.item.number or "", step.item.subject, data_label(step.name))
        for step in page if step.pk in batchable
    ]
    return mark_safe("".join(rows))


def batch_checklist(page, batchable) -> list:
    """The review checklist's points that apply to the page's batchable steps
    (one query), shown once on the 批量同意 form."""
    return loop.checklist_for_steps(step for step in page if step.pk in batchable)


def batchable_steps(page) -> set[int]:
    """Ids of the page's steps a batch approval may decide (no ``may_edit``),
    read from the rows themselves (selectors.REVIEW_FIELDS): a query of its
    own cost more than the page's rows (issue 12)."""
    return {step.pk for step in page if not step.may_edit}


@login_required
def receiver_inbox(request):
    form = filter_form(request)
    # Only narrow by the filters when some are set (the selector applies the visibility rule itself).
    items = form.filter(selectors.visible_items(request.user)) if form.active_filters() else None
    show_answered = request.GET.get("answered") == "1"
    page = list_pages.receiver_inbox_page(request, show_answered) if items is None else None
    if page is None:
        page = paginate_counted(request, selectors.receiver_inbox(request.user, items=items,
                                                                  include_answered=show_answered))
    return render(
        request,
        "infoflow/receiver_inbox.html",
        {
            "page": page,
            "form": form,
            "now": timezone.now(),
            "show_answered": show_answered,
            "export_url": log_export_url(form, "received:all" if show_answered else "received"),
        },
    )
