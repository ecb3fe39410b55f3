"""What an officer does besides items (issue 14 §3–5): monthly work reports
to the unit head, replacement flags (one per case, whichever rule raised it)
and accountability cases recorded by supervision.

Imported by ``officers.models`` (``from .work_models import *``), so the
models belong to the officers app and its migrations.
"""
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison.indexes import cursor_index

User = settings.AUTH_USER_MODEL

__all__ = ["WorkReport", "ReplacementFlag", "AccountabilityCase"]


class WorkReport(models.Model):
    """One officer's report for one period (default a calendar month, the
    setting WORK_REPORT_PERIOD_MONTHS): last period's work and next period's
    plan, filed to the head of the unit, due on the WORK_REPORT_DUE_WORKDAY-th
    working day after the period (seed 000 §5 "工作报告", seed 003 "工作总结")."""

    class State(models.TextChoices):
        OPEN = "open", _("待填报")
        SUBMITTED = "submitted", _("已提交")
        READ = "read", _("已阅")

    officer = models.ForeignKey("officers.Officer", verbose_name=_("联络员"), on_delete=models.PROTECT,
                                related_name="work_reports")
    unit = models.ForeignKey("officers.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="work_reports")
    period_start = models.DateField(_("报告期开始"))
    period_end = models.DateField(_("报告期结束"))
    due_at = models.DateTimeField(_("应交时间"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN)
    work_done = models.TextField(_("本期工作"), blank=True)
    next_plan = models.TextField(_("下期计划"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    is_late = models.BooleanField(_("逾期"), default=False)
    head_comment = models.TextField(_("负责人意见"), blank=True)
    commented_by = models.ForeignKey(User, verbose_name=_("批阅人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    commented_at = models.DateTimeField(_("批阅时间"), null=True, blank=True)
    # The report sweep's cursor (officers.sweeps, liaison.sweeps).
    notice_at = models.DateTimeField(_("下次提醒时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["notice_at"])

    class Meta:
        ordering = ["-period_start", "unit__sort_order", "pk"]
        verbose_name = _("工作报告")
        verbose_name_plural = _("工作报告")
        constraints = [models.UniqueConstraint(fields=["officer", "period_start"], name="one_work_report_per_period")]
        indexes = [cursor_index("notice_at", condition=Q(state="open"), name="workreport_open_notice_at")]

    def __str__(self):
        return "%s · %s" % (self.officer, self.period_start.strftime("%Y-%m"))

    def late_now(self, now=None) -> bool:
        """Still open past the due time, or submitted after it."""
        if self.submitted_at is not None:
            return self.submitted_at > self.due_at
        return (now or timezone.now()) > self.due_at


class ReplacementFlag(models.Model):
    """A proposal to replace an officer, one per case whatever rule raised it
    (seed 003: "连续两次未报送者或无故两次以上不参加…联络员会议者…提出更换人选";
    issue 14: a failed assessment). ``case_key`` names the case (the first
    missed call's occurrence, the meeting period, the assessment period), so a
    sweep that runs again finds the flag it raised; ``evidence`` lists the
    records behind it (shape: {"records": [{"label", "date"}], ...})."""

    class Rule(models.TextChoices):
        DATA_CALLS = "data_calls", _("连续两次未按期报送")
        MEETINGS = "meetings", _("无故两次以上未参加联络员例会")
        ASSESSMENT = "assessment", _("年度考核不合格")

    class State(models.TextChoices):
        OPEN = "open", _("待处理")
        KEPT = "kept", _("保留")
        REPLACED = "replaced", _("已更换")

    officer = models.ForeignKey("officers.Officer", verbose_name=_("联络员"), on_delete=models.PROTECT,
                                related_name="replacement_flags")
    unit = models.ForeignKey("officers.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="officer_replacement_flags")
    rule = models.CharField(_("规则"), max_length=20, choices=Rule.choices)
    case_key = models.CharField(_("情形标识"), max_length=100)
    summary = models.CharField(_("情形"), max_length=200)
    evidence = models.JSONField(_("依据"), default=dict, blank=True)
    raised_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN)
    reason = models.TextField(_("处理理由"), blank=True)
    resolved_by = models.ForeignKey(User, verbose_name=_("处理人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("联络员更换提示")
        verbose_name_plural = _("联络员更换提示")
        constraints = [models.UniqueConstraint(fields=["officer", "rule", "case_key"], name="one_flag_per_case")]

    def __str__(self):
        return "%s · %s" % (self.officer, self.get_rule_display())


class AccountabilityCase(models.Model):
    """A case supervision records against an officer (seed 001: "瞒报、谎报、
    延报…问责", "通报批评，追究责任"; domain: accountability): what happened,
    the finding, the sanction and the rectification ordered (整改) until done.
    ``subject`` is what it concerns (an item, a data call, a meeting), kept
    as a generic link plus its label (a number or title, never content)."""

    class Kind(models.TextChoices):
        LATE = "late", _("迟报")
        FALSE = "false", _("谎报")
        SUPPRESSED = "suppressed", _("瞒报")
        IGNORED = "ignored", _("不执行工作指示")
        OTHER = "other", _("其他")

    class Sanction(models.TextChoices):
        NONE = "none", _("不予处分")
        CRITICISM = "criticism", _("通报批评")
        POINTS = "points", _("扣分")
        WARNING = "warning", _("警告")
        DISMISSAL = "dismissal", _("撤换")

    officer = models.ForeignKey("officers.Officer", verbose_name=_("联络员"), on_delete=models.PROTECT,
                                related_name="accountability_cases")
    kind = models.CharField(_("问题类型"), max_length=20, choices=Kind.choices)
    occurred_on = models.DateField(_("发生日期"))
    subject_type = models.ForeignKey(ContentType, verbose_name=_("涉及对象类型"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    subject_id = models.PositiveBigIntegerField(_("涉及对象"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_label = models.CharField(_("涉及事项"), max_length=200, blank=True)
    finding = models.TextField(_("调查结论"))
    sanction = models.CharField(_("处分"), max_length=20, choices=Sanction.choices, default=Sanction.NONE)
    points = models.PositiveSmallIntegerField(_("扣分"), default=0)
    rectification = models.TextField(_("整改要求"), blank=True)
    rectification_due = models.DateField(_("整改期限"), null=True, blank=True)
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    rectification_note = models.TextField(_("整改情况"), blank=True)
    recorded_by = models.ForeignKey(User, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("问责记录")
        verbose_name_plural = _("问责记录")

    def __str__(self):
        return "%s · %s" % (self.officer, self.get_kind_display())

    @property
    def rectification_open(self) -> bool:
        return bool(self.rectification) and self.rectified_on is None
