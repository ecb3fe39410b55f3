"""Reports to leaders (领导报告, issue 19 §7): the monthly report of the
information work and the yearly 联络员工作年度总结 (seed 000 "工作报告：信息联络员应
定期向上级汇报工作进展情况"; seed 003 第九条 "协会每年要总结联络工作的基本情况").

A ``Report`` is a generated snapshot (``data``, with its SHA-256): made once
per kind and period (unique), then only read — the page, the PDF and the
workbook render the snapshot, so what was sent never changes. ``Addressee``
rows are the leaders it was sent to (from the ``Recipient`` list the
secretariat keeps in the admin). ``AutoReport`` is the monthly sweep's case:
its cursor is when the next month's report is due (liaison.sweeps).
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison.indexes import cursor_index

User = settings.AUTH_USER_MODEL


class Kind(models.TextChoices):
    MONTHLY = "monthly", _("月度报告")
    YEARLY = "yearly", _("联络员工作年度总结")


class Recipient(models.Model):
    """A leader the reports are sent to (data the secretariat edits in the admin)."""

    user = models.OneToOneField(User, verbose_name=_("领导"), on_delete=models.CASCADE, related_name="report_recipient")
    monthly = models.BooleanField(_("接收月度报告"), default=True)
    yearly = models.BooleanField(_("接收年度总结"), default=True)
    active = models.BooleanField(_("有效"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("报告接收领导")
        verbose_name_plural = _("报告接收领导")

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()


class Report(models.Model):
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    period = models.CharField(_("期间"), max_length=7, help_text=_("月度：YYYY-MM；年度：YYYY"))
    first_day = models.DateField(_("起始日"))
    last_day = models.DateField(_("截止日"))
    title = models.CharField(_("标题"), max_length=100)
    data = models.JSONField(_("报告数据"), default=dict, editable=False)
    data_sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    generated_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    generated_by = models.ForeignKey(User, verbose_name=_("生成人"), null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    history = HistoricalRecords(excluded_fields=["data"])

    class Meta:
        ordering = ["-first_day", "kind", "-pk"]
        verbose_name = _("领导报告")
        verbose_name_plural = _("领导报告")
        constraints = [models.UniqueConstraint(fields=["kind", "period"], name="unique_report_period")]

    def __str__(self):
        return self.title

    @property
    def heading(self) -> str:
        """The title in the reader's language (``title`` keeps the one it was generated with)."""
        if self.kind == Kind.YEARLY:
            return gettext("%(year)s 年度联络员工作年度总结") % {"year": self.period}
        return gettext("%(year)d 年 %(month)d 月信息工作月度报告") % {"year": self.first_day.year,
                                                                  "month": self.first_day.month}


class Addressee(models.Model):
    """A leader the report was sent to (fixed when it was generated)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="addressees")
    user = models.ForeignKey(User, verbose_name=_("领导"), on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("发送时间"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("报告接收人")
        verbose_name_plural = _("报告接收人")
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="unique_report_addressee")]

    def __str__(self):
        return "%s · %s" % (self.report_id, self.user_id)


class AutoReport(models.Model):
    """The sweep's case for reports made by themselves (one row per kind): ``notice_at`` is when the
    next one is due (the first working day of a month, 08:30, for the previous month)."""

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, unique=True)
    enabled = models.BooleanField(_("自动生成"), default=True)
    notice_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("自动生成设置")
        verbose_name_plural = _("自动生成设置")
        indexes = [cursor_index("notice_at", name="autoreport_due", condition=models.Q(enabled=True))]

    def __str__(self):
        return self.get_kind_display()
