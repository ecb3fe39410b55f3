"""Notices in the admin: what was sent, what failed and why, and sending
failed ones again once the mail server or robot is fixed."""
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from liaison import hooks
from liaison.admin_visibility import NotFoundAdmin
from liaison.models import Notification, NotificationPreference
from liaison.notifications import CHANNELS, enqueue_delivery

__all__ = ["NotificationAdmin", "NotificationPreferenceAdmin"]


class KindFilter(admin.SimpleListFilter):
    """The kind by its label (the field holds codes without choices)."""

    title = _lazy("类型")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return Notification.Kind.choices

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Notification)
class NotificationAdmin(NotFoundAdmin):
    list_display = ["created_at", "recipient", "kind_label", "item_number", "subject", "read_at", "email_state",
                    "webhook_state", "wecom_state", "dingtalk_state"]
    list_filter = ["email_state", "webhook_state", "wecom_state", "dingtalk_state", KindFilter, "confidentiality"]
    search_fields = ["recipient__username", "item_number", "key"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    actions = ["send_again"]

    def get_queryset(self, request):
        """A notice names an item (number, subject, body): it is shown to its
        recipient and to those who may see the item (``items_visible_to``);
        a notice that names no item to every reader of this page, unless it
        is marked restricted. The rule on items is the information flow's
        (liaison.hooks: registered from its AppConfig.ready())."""
        shown = Q(recipient_id=request.user.pk) | Q(item_number="") & ~Q(
            confidentiality=Notification.Confidentiality.RESTRICTED)
        items = hooks.items_visible_to(request.user)
        if items is not None:
            shown |= Q(item_number__in=items.exclude(number="").values("number"))
        return super().get_queryset(request).filter(shown)

    @admin.display(description=_lazy("类型"), ordering="kind")
    def kind_label(self, obj):
        # The kind column holds a code with no choices on the field: show its label.
        return Notification.Kind(obj.kind).label if obj.kind in Notification.Kind.values else obj.kind

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_lazy("重新发送失败的邮件、群消息和工作通知"))
    def send_again(self, request, queryset):
        pks = []
        with transaction.atomic():
            for channel in CHANNELS:
                rows = queryset.filter(**{f"{channel}_state": "failed"})
                pks += list(rows.values_list("pk", flat=True))
                rows.update(**{f"{channel}_state": "pending", f"{channel}_attempts": 0, f"{channel}_error": ""})
            for pk in sorted(set(pks)):
                transaction.on_commit(lambda pk=pk: enqueue_delivery(pk))
        messages.success(request, _("已安排重新发送 %(count)s 条通知。") % {"count": len(set(pks))})


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "webhook", "wecom", "dingtalk"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
