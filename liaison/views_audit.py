"""The auditors' page: the audit log, filtered and paginated (read-only)."""
from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.audit import can_view_audit, shown_repr
from liaison.normalize import AsciiDateField
from liaison.models import AuditEntry

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    username = forms.CharField(label=_("用户名"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("操作"), required=False, choices=[("", _("全部操作"))] + AuditEntry.Action.choices)
    date_from = AsciiDateField(label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = AsciiDateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError(_("结束日期不能早于开始日期。"))
        return cleaned


def audit_entries(*, username="", action="", date_from=None, date_to=None):
    """Audit rows matching the filters, newest first, with their users joined.
    Dates are whole days in the configured time zone, both ends included."""
    rows = AuditEntry.objects.select_related("user").order_by("-at", "-id")
    if username:
        rows = rows.filter(username=username)
    if action:
        rows = rows.filter(action=action)
    tz = timezone.get_current_timezone()
    if date_from:
        rows = rows.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        rows = rows.filter(at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz))
    return rows


@login_required
def audit_list(request):
    if not can_view_audit(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        rows = audit_entries(**form.cleaned_data)
    elif form.is_bound:
        rows = AuditEntry.objects.none()
    else:
        rows = audit_entries()
    paginator = Paginator(rows, PAGE_SIZE)
    # Counting a large log for "page n of m" is the slow part; it is one query.
    page = paginator.get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.object_label = shown_repr(entry)  # items by number and id, never their subject
    return render(request, "liaison/audit_list.html", {"form": form, "page": page})
