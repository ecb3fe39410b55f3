"""The notification centre: a user's notices, marking them read, channel choices."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.models import Notification, NotificationPreference
from liaison.redirects import safe_next

PAGE_SIZE = 20


def notifications_of(user):
    """The user's notices, unread first, then newest first. Only the
    user's own rows: another user's notice is a 404 like a missing one."""
    return Notification.objects.filter(recipient=user).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-id"
    )


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["email", "webhook", "wecom", "dingtalk"]


@login_required
def notification_list(request):
    page = Paginator(notifications_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    template = "liaison/_notification_list.html" if request.htmx else "liaison/notifications.html"
    return render(request, template, {"page": page})


def _safe_next(request, url):
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return None


@login_required
@require_POST
def notification_read(request, pk):
    """Mark one notice read; with ``open`` go on to its item."""
    notification = get_object_or_404(Notification.objects.filter(recipient=request.user), pk=pk)
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    if request.POST.get("open"):
        target = _safe_next(request, notification.url)
        if target:
            return redirect(target)
    if request.htmx:
        return notification_list(request)
    return redirect(safe_next(request.POST.get("next"), "notification-list"))


@login_required
@require_POST
def notification_read_all(request):
    count = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    if count:
        messages.success(request, _("已将 %(count)s 条通知标为已读。") % {"count": count})
    return redirect("notification-list")


@login_required
def notification_preferences(request):
    preference = NotificationPreference.objects.filter(user=request.user).first() or NotificationPreference(
        user=request.user
    )
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("通知设置已保存。"))
        return redirect("notification-preferences")
    return render(
        request,
        "liaison/notifications_preferences.html",
        {"form": form, "has_email": bool(request.user.email)},
    )
