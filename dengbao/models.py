"""The three separated administrators (三员分立, GB/T 22239-2019 8.1.4.2 / 8.1.10.2).

An AdminDuty names the one administrator duty a person holds. The auditor's
duty is also held by whoever has the supervision role (officers, 监督/审计):
that role already reads the audit log. Rows are written by
dengbao.services.assign_duty / revoke_duty only.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class AdminDuty(models.Model):
    class Duty(models.TextChoices):
        SYSTEM = "system", _("系统管理员")
        SECURITY = "security", _("安全管理员")
        AUDIT = "audit", _("安全审计员")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="admin_duties"
    )
    duty = models.CharField(_("管理员职责"), max_length=20, choices=Duty.choices)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    assigned_at = models.DateTimeField(_("指派时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["duty", "user__username"]
        verbose_name = _("管理员职责")
        verbose_name_plural = _("管理员职责（三员分立）")
        constraints = [models.UniqueConstraint(fields=["user", "duty"], name="dengbao_unique_user_duty")]

    def __str__(self):
        return f"{self.user} · {self.get_duty_display()}"


class PrivacyRun(models.Model):
    """The cursor of the daily anonymisation sweep (dengbao/sweeps.py): one row."""

    notice_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(_("上次运行"), null=True, blank=True)
    last_count = models.PositiveIntegerField(_("上次匿名化人数"), default=0)

    class Meta:
        verbose_name = _("个人信息匿名化运行")
        verbose_name_plural = _("个人信息匿名化运行")


class AuditArchiveBatch(models.Model):
    """One sealed export of audit rows older than AUDIT_KEEP_MONTHS
    (dengbao/audit_archive.py). The rows stay in the log (append-only, a hash
    chain): this row marks ids first_id..last_id as exported. ``prev_seal`` is
    the seal of the audit row before first_id, so the exported chain verifies
    from the export alone; ``seal`` = HMAC(archive seal key, previous batch's
    seal | header | sha256 of the file)."""

    number = models.PositiveIntegerField(_("批次号"), unique=True)
    first_id = models.BigIntegerField(unique=True)
    last_id = models.BigIntegerField(unique=True)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    count = models.PositiveIntegerField(_("条数"))
    cutoff = models.DateTimeField()
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    prev_seal = models.CharField(max_length=64, blank=True)
    seal = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("导出时间"), default=timezone.now)

    class Meta:
        ordering = ["number"]
        verbose_name = _("审计日志归档批次")
        verbose_name_plural = _("审计日志归档批次")

    def __str__(self):
        return f"#{self.number} {self.first_id}-{self.last_id} ({self.count})"
