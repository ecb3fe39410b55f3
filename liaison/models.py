"""Cross-cutting models: the working calendar and the append-only audit log."""
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CalendarYear(models.Model):
    """A year whose holidays and 调休 workdays have been entered. A year with no
    row here is "missing": the calendar answers with weekends off and the portal
    warns the secretariat."""

    class Source(models.TextChoices):
        PACKAGE = "chinesecalendar", _("chinesecalendar 数据包")
        NOTICE = "notice", _("国务院办公厅通知")
        MANUAL = "manual", _("手工录入")
        # No notice yet: the days of the 全国年节及纪念日放假办法, computed.
        PROVISIONAL = "provisional", _("法定节假日（暂定）")

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    notice_title = models.CharField(_("通知标题"), max_length=200, blank=True)
    notice_text = models.TextField(_("通知原文"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("更新人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("节假日年度")
        verbose_name_plural = _("节假日年度")

    def __str__(self):
        return f"{self.year} ({self.get_source_display()})"


class HolidayNotice(models.Model):
    """A State Council notice as imported: the yearly notice of ``year`` or a
    supplementary notice that amends it (国务院办公厅关于延长2020年春节假期的
    通知). Its days point back here (CalendarDay.notice)."""

    class Kind(models.TextChoices):
        YEARLY = "yearly", _("年度放假通知")
        AMENDMENT = "amendment", _("补充通知")

    year = models.PositiveSmallIntegerField(_("年份"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("通知标题"), max_length=200)
    text = models.TextField(_("通知原文"))
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-year", "-imported_at"]
        verbose_name = _("放假通知")
        verbose_name_plural = _("放假通知")

    def __str__(self):
        return self.title


class CalendarDay(models.Model):
    """One exception to "Monday–Friday work, weekends off": a public holiday
    (on any day) or an adjusted weekend workday (调休上班).

    ``plan_year`` is the year whose arrangement set the day: the 元旦 of notice
    Y may set days in December of Y-1, which belong to plan Y, so importing
    notice Y-1 again leaves them alone."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=50, blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=CalendarYear.Source.choices)
    plan_year = models.PositiveSmallIntegerField(_("所属年度安排"), null=True, blank=True, db_index=True)
    notice = models.ForeignKey(
        HolidayNotice, verbose_name=_("来自通知"), null=True, blank=True, on_delete=models.SET_NULL, related_name="days"
    )
    sentence = models.TextField(_("通知原句"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied(_("审计日志只能追加，不能修改。"))

    def delete(self):
        raise PermissionDenied(_("审计日志只能追加，不能删除。"))


class AuditEntry(models.Model):
    """One security-relevant event. The application only ever appends: the
    model, its queryset and the admin refuse change and delete (liaison.audit)."""

    class Action(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKOUT = "lockout", _("账户锁定")
        UNLOCK = "unlock", _("解除锁定")
        LOGOUT = "logout", _("退出")
        PASSWORD_CHANGE = "password_change", _("修改密码")
        PERMISSION_CHANGE = "permission_change", _("权限变更")
        IMPORT = "import", _("导入")
        EXPORT = "export", _("导出")
        SETTINGS_CHANGE = "settings_change", _("设置变更")
        VIEW_RESTRICTED = "view_restricted", _("查看限定范围信息")
        DOWNLOAD = "download", _("下载")
        OTHER = "other", _("其他")

    class Result(models.TextChoices):
        SUCCESS = "success", _("成功")
        FAILURE = "failure", _("失败")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=30, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象名称"), max_length=200, blank=True)
    result = models.CharField(_("结果"), max_length=10, choices=Result.choices, default=Result.SUCCESS)
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    detail = models.TextField(_("详情"), blank=True)
    # Sealed like the archive (archive issue): each row's HMAC covers the previous one.
    seal = models.CharField(max_length=64, blank=True, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        permissions = [("view_audit", _("可查看审计日志"))]
        # The auditors' page filters by user name within a period.
        indexes = [models.Index(fields=["username", "at"], name="audit_username_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionDenied(_("审计日志只能追加，不能修改。"))
        kwargs["force_insert"] = True
        # The seal reads the newest row's seal (archive.seal._audit_pre_save):
        # that read and this insert are one transaction, which SQLite begins
        # IMMEDIATE (settings: the write lock first, so concurrent appenders
        # queue) and in which PostgreSQL holds the append advisory lock.
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):  # no savepoint: no extra queries when nested
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(_("审计日志只能追加，不能删除。"))


class PasswordRecord(models.Model):
    """When a user's password was last changed, for the periodic change of
    strict mode (liaison.middleware.PasswordAgeMiddleware). Kept by
    liaison.signals whenever ``set_password`` is followed by a save."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="password_record"
    )
    changed_at = models.DateTimeField(_("密码修改时间"), default=timezone.now)

    class Meta:
        verbose_name = _("密码修改记录")
        verbose_name_plural = _("密码修改记录")

    def __str__(self):
        return f"{self.user} {self.changed_at:%Y-%m-%d}"


class Notification(models.Model):
    """One notice to one user: the in-app copy (always) plus the state of its
    e-mail and group-robot deliveries (liaison.notifications). The key is
    unique per recipient, so whoever writes a notice twice — a second sweep, a
    retried task — gets one row and one delivery."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("即将到期")
        OVERDUE = "overdue", _("已超期")
        ESCALATION = "escalation", _("超期升级")
        CHASE = "chase", _("催办")
        DELEGATION = "delegation", _("代理")
        ARCHIVE_DUE = "archive_due", _("待归档")
        FILING_DUE = "filing_due", _("待备案")
        TASK = "task", _("待办")
        OTHER = "other", _("通知")

    class Channel(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        SKIPPED = "skipped", _("不发送")

    class Confidentiality(models.TextChoices):
        # The item's 密级 (infoflow.models.Confidentiality), copied so the
        # outgoing text can be built without the item.
        PUBLIC = "public", _("公开")
        INTERNAL = "internal", _("内部")
        RESTRICTED = "restricted", _("限定范围")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(_("唯一键"), max_length=200)
    kind = models.CharField(_("类型"), max_length=30, default=Kind.OTHER)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    item_number = models.CharField(_("信息编号"), max_length=30, blank=True)
    due_at = models.DateTimeField(_("期限"), null=True, blank=True)
    confidentiality = models.CharField(
        _("密级"), max_length=20, choices=Confidentiality.choices, default=Confidentiality.INTERNAL
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    email_state = models.CharField(_("邮件"), max_length=10, choices=Channel.choices, default=Channel.PENDING)
    email_attempts = models.PositiveSmallIntegerField(_("邮件尝试次数"), default=0)
    email_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    email_sent_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    email_error = models.TextField(_("邮件错误"), blank=True)
    webhook_state = models.CharField(_("群机器人"), max_length=10, choices=Channel.choices, default=Channel.PENDING)
    webhook_attempts = models.PositiveSmallIntegerField(_("群消息尝试次数"), default=0)
    webhook_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    webhook_sent_at = models.DateTimeField(_("群消息发送时间"), null=True, blank=True)
    webhook_error = models.TextField(_("群消息错误"), blank=True)
    # Per-user work messages (directory app; liaison.notifications.register_channel).
    # Skipped unless the platform is configured when the notice is written (build()).
    wecom_state = models.CharField(_("企业微信"), max_length=10, choices=Channel.choices, default=Channel.SKIPPED)
    wecom_attempts = models.PositiveSmallIntegerField(_("企业微信尝试次数"), default=0)
    wecom_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    wecom_sent_at = models.DateTimeField(_("企业微信发送时间"), null=True, blank=True)
    wecom_error = models.TextField(_("企业微信错误"), blank=True)
    dingtalk_state = models.CharField(_("钉钉"), max_length=10, choices=Channel.choices, default=Channel.SKIPPED)
    dingtalk_attempts = models.PositiveSmallIntegerField(_("钉钉尝试次数"), default=0)
    dingtalk_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    dingtalk_sent_at = models.DateTimeField(_("钉钉发送时间"), null=True, blank=True)
    dingtalk_error = models.TextField(_("钉钉错误"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        # An integrity backstop, not the claim. Sweeps claim a case by its
        # notice_at cursor (liaison.sweeps, FOR UPDATE SKIP LOCKED), which alone
        # keeps a second or concurrent sweep from writing a notice again
        # (tests/infoflow/test_sweep_claim.py counts zero rows reaching this
        # constraint). It stays so that a bug, a hand-run script or a retried
        # service call can never give one user the same notice twice.
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_recipient_key")]
        indexes = [
            # The bell: unread count per user on every page.
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            # retry_undelivered looks only at rows with a channel not yet done.
            models.Index(
                fields=["created_at"],
                name="notification_undelivered",
                condition=models.Q(email_state__in=["pending", "sending", "failed"])
                | models.Q(webhook_state__in=["pending", "sending", "failed"])
                | models.Q(wecom_state__in=["pending", "sending", "failed"])
                | models.Q(dingtalk_state__in=["pending", "sending", "failed"]),
            ),
        ]

    def __str__(self):
        return f"{self.recipient} {self.subject}"

    @property
    def delivery_failed(self):
        return self.Channel.FAILED in (self.email_state, self.webhook_state, self.wecom_state, self.dingtalk_state)


class NotificationPreference(models.Model):
    """Which channels a user wants besides the portal (always on). No row
    means the defaults: e-mail on, group robot on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.BooleanField(_("邮件通知"), default=True)
    webhook = models.BooleanField(_("企业微信/钉钉群通知"), default=True)
    wecom = models.BooleanField(_("企业微信工作通知"), default=True)
    dingtalk = models.BooleanField(_("钉钉工作通知"), default=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self):
        return str(self.user)
