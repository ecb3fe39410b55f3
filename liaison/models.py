"""Cross-cutting models: the working calendar and the append-only audit log."""
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
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


class CalendarDay(models.Model):
    """One exception to "Monday–Friday work, weekends off": a public holiday
    (on any day) or an adjusted weekend workday (调休上班)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=50, blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=CalendarYear.Source.choices)
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
