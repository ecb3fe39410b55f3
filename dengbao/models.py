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

from liaison.indexes import cursor_index


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


class AccessReview(models.Model):
    """One period's who-can-see-what snapshot (access review, issue 18 item 3;
    GB/T 22239-2019 8.1.4.2 b)/c), 8.1.10.2: accounts and rights reviewed,
    excess rights removed). Generated at the start of each period of
    settings.ACCESS_REVIEW_MONTHS (by the sweep or a button, one per period),
    signed off by the secretariat within settings.ACCESS_REVIEW_SIGN_DAYS
    working days (``due_at``); an unsigned review is escalated once at
    ``due_at`` (``notice_at`` is the sweep's cursor). Rows are
    AccessReviewRow, each with its difference from ``baseline`` (the last
    review signed when this one was generated). Written by
    dengbao.access_review only."""

    period = models.CharField(_("期间"), max_length=7, unique=True)  # "2026-10": the period's first month
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    generated_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("生成人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    baseline = models.ForeignKey(
        "self", verbose_name=_("对比的上次复核"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_at = models.DateTimeField(_("签核期限"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签核人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("签核时间"), null=True, blank=True)
    sign_note = models.CharField(_("签核意见"), max_length=500, blank=True)
    user_count = models.PositiveIntegerField(_("用户数"), default=0)
    changed_count = models.PositiveIntegerField(_("有变化的用户数"), default=0)
    escalated_at = models.DateTimeField(_("逾期上报时间"), null=True, blank=True)
    notice_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_start"]
        verbose_name = _("访问权限复核")
        verbose_name_plural = _("访问权限复核")
        indexes = [
            cursor_index("notice_at", name="dengbao_review_unsigned",
                         condition=models.Q(signed_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.period}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class AccessReviewRow(models.Model):
    """One user in an access review: what they may see (``data``) and how it
    differs from the baseline review (``change``, ``changes``). A user of the
    baseline who is no longer active is a row with change "removed"."""

    class Change(models.TextChoices):
        SAME = "same", _("无变化")
        NEW = "new", _("新增用户")
        REMOVED = "removed", _("已移除用户")
        CHANGED = "changed", _("权限有变化")

    review = models.ForeignKey(AccessReview, on_delete=models.CASCADE, related_name="rows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(_("用户名"), max_length=150)
    full_name = models.CharField(_("姓名"), max_length=150, blank=True)
    data = models.JSONField(default=dict)
    change = models.CharField(_("变化"), max_length=10, choices=Change.choices, default=Change.SAME)
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(fields=["review", "username"], name="dengbao_review_row_unique_user"),
        ]


class AccessReviewRun(models.Model):
    """The cursor of the access-review generation sweep (dengbao/sweeps.py):
    one row; ``notice_at`` is the start of the next period."""

    notice_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
