"""The initial reviewer's edit during review (初审修改): the text only.

During an open "may edit" stage the reviewer corrects the wording; what is
sent where stays the initiator's call, so ``drafting.update_item`` accepts
only ``drafting.TEXT_FIELDS`` while the item is in review. This page shows
and sends exactly those fields (the full drafting form sent every field and
was refused)."""
from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..models import Item
from ..services import drafting
from ..services.drafting import TEXT_FIELDS
from .common import ServiceFailed, service_errors

# The order on the page.
REVIEW_EDIT_FIELDS = ("subject", "summary", "remarks", "project")
assert set(REVIEW_EDIT_FIELDS) == TEXT_FIELDS


class ReviewEditForm(forms.ModelForm):
    class Meta:
        model = Item
        fields = list(REVIEW_EDIT_FIELDS)
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 8}),
            "remarks": forms.Textarea(attrs={"rows": 2}),
        }


def review_edit(request, item):
    """Called by ``item_edit`` for an item in review (the caller checked can_edit)."""
    if request.method != "POST":
        form = ReviewEditForm(instance=item)
    else:
        original = Item.objects.get(pk=item.pk)  # the form mutates its instance while validating
        form = ReviewEditForm(request.POST, instance=item)
        if form.is_valid():
            try:
                with service_errors(request):
                    drafting.update_item(
                        item=original, actor=request.user,
                        fields={name: form.cleaned_data[name] for name in REVIEW_EDIT_FIELDS},
                    )
            except ServiceFailed:
                pass
            else:
                messages.success(request, _("修改已保存，审核意见请在审核页面填写。"))
                return redirect("infoflow:item-detail", pk=item.pk)
        item = original
    return render(request, "infoflow/review_edit_form.html", {"form": form, "item": item})
