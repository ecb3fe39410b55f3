"""Data calls and periodic reports (报送任务, domain "Data calls").

A ``Call`` is a series: what to report (``fields``, a list of FieldSpec, or an
.xlsx template with its ``template_spec``), to whom, and when (its schedule,
datacalls.schedule). Each period of the schedule is an ``Occurrence`` with its
own due time, created by the sweep; each recipient unit has one ``Answer`` per
occurrence, created with it. Two consecutive missed occurrences raise one
``ReplacementFlag`` per case (seed 003).

Shapes (shared with datacalls.values / workbook / summary):

* FieldSpec: {"key", "label", "type" (text|longtext|number|date|choice|
  multichoice|file|table), "required", "unit", "choices", "columns"};
* answer values: key → value (text str; number decimal string; date
  "YYYY-MM-DD"; choice str; multichoice list; file {"name", "id"}; table a list
  of row dicts);
* TemplateSpec: {"sheet", "cells": [{"ref", **FieldSpec}], "table": {"key",
  "label", "first_row", "max_rows", "columns": [{"col", **FieldSpec}]} | None}.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison.indexes import cursor_index
from officers.models import Officer, OrgUnit

User = settings.AUTH_USER_MODEL

FIELD_TYPES = ("text", "longtext", "number", "date", "choice", "multichoice", "file", "table")


class Call(models.Model):
    """A data call (one-off or a series) defined by the secretariat."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SENT = "sent", _("已下发")
        ENDED = "ended", _("已停止")

    class Recipients(models.TextChoices):
        SELECTED = "selected", _("指定单位")
        ALL = "all", _("全部单位")
        MEMBERS = "members", _("全部会员单位")

    class Schedule(models.TextChoices):
        ONCE = "once", _("一次")
        WEEKLY = "weekly", _("每周")
        MONTHLY = "monthly", _("每月")
        QUARTERLY = "quarterly", _("每季度")
        YEARLY = "yearly", _("每年")
        DATES = "dates", _("指定日期")

    class Anchor(models.TextChoices):
        PERIOD_START = "start", _("周期开始日")
        PERIOD_END = "end", _("周期结束日")

    class Visibility(models.TextChoices):
        SECRETARIAT = "secretariat", _("仅秘书处")
        HEADS = "heads", _("秘书处和各接收单位负责人")
        LEADERS = "leaders", _("秘书处和指定领导")

    class TwoMiss(models.TextChoices):
        SERIES = "series", _("同一系列连续两期未报送")
        CONSECUTIVE = "consecutive", _("连续两次报送任务未报送")

    title = models.CharField(_("标题"), max_length=200)
    instructions = models.TextField(_("填报说明"), blank=True)
    attachment = models.FileField(_("附件"), upload_to="datacalls/attachments/%Y/", blank=True)
    fields = models.JSONField(_("填报项"), default=list, blank=True)
    template = models.FileField(_("Excel 模板"), upload_to="datacalls/templates/%Y/", blank=True)
    template_spec = models.JSONField(_("模板填报位置"), null=True, blank=True)
    recipients = models.CharField(_("接收范围"), max_length=20, choices=Recipients.choices, default=Recipients.SELECTED)
    units = models.ManyToManyField(OrgUnit, verbose_name=_("接收单位"), blank=True, related_name="datacalls")
    schedule = models.CharField(_("频次"), max_length=20, choices=Schedule.choices, default=Schedule.ONCE)
    months = models.JSONField(_("月份"), default=list, blank=True, help_text=_("每月报送时只在这些月份（如 1,4,7,10）"))
    dates = models.JSONField(_("报送日期"), default=list, blank=True)
    due_on = models.DateField(_("截止日期"), null=True, blank=True, help_text=_("一次性任务的截止日期"))
    anchor = models.CharField(_("截止日计算基准"), max_length=10, choices=Anchor.choices, default=Anchor.PERIOD_END)
    offset_days = models.IntegerField(
        _("偏移天数"), default=0, help_text=_("相对基准日的自然日数，负数为提前，例如 -7 为周期结束前一周")
    )
    offset_unit = models.CharField(
        _("偏移单位"), max_length=20, choices=[("days", _("自然日")), ("working_days", _("工作日"))], default="days"
    )
    due_time = models.TimeField(_("截止时间"), default="17:30")
    starts_on = models.DateField(_("开始日期"), null=True, blank=True)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    close_after_days = models.PositiveSmallIntegerField(
        _("截止后汇总期（工作日）"), default=5, help_text=_("截止后这么多个工作日自动结束本期，未报送的记为缺报")
    )
    head_review = models.BooleanField(_("须经部门负责人审核"), default=False)
    visibility = models.CharField(
        _("答复可见范围"), max_length=20, choices=Visibility.choices, default=Visibility.SECRETARIAT
    )
    viewers = models.ManyToManyField(User, verbose_name=_("指定领导"), blank=True, related_name="datacalls_viewable")
    two_miss = models.CharField(_("更换人选规则"), max_length=20, choices=TwoMiss.choices, default=TwoMiss.SERIES)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(User, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("下发时间"), null=True, blank=True)
    # The sweep's cursor: when the next occurrence opens (liaison.sweeps).
    notice_at = models.DateTimeField(_("下次开期时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["notice_at"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("报送任务")
        verbose_name_plural = _("报送任务")
        indexes = [cursor_index("notice_at", name="datacall_call_due", condition=Q(state="sent"))]

    def __str__(self):
        return self.title

    @property
    def uses_template(self) -> bool:
        return bool(self.template_spec)


class Occurrence(models.Model):
    """One period of a call: its own due time and one answer per recipient."""

    call = models.ForeignKey(Call, verbose_name=_("报送任务"), on_delete=models.CASCADE, related_name="occurrences")
    period = models.CharField(_("期次"), max_length=20)
    period_start = models.DateField(_("周期开始"))
    period_end = models.DateField(_("周期结束"))
    due_at = models.DateTimeField(_("截止时间"))
    opened_at = models.DateTimeField(_("开始时间"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # The sweep's cursor: when this occurrence closes by itself.
    notice_at = models.DateTimeField(_("下次处理时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["notice_at"])

    class Meta:
        ordering = ["-due_at", "-pk"]
        verbose_name = _("报送期次")
        verbose_name_plural = _("报送期次")
        constraints = [models.UniqueConstraint(fields=["call", "period"], name="unique_datacall_period")]
        indexes = [cursor_index("notice_at", name="datacall_occ_due", condition=Q(closed_at__isnull=True))]

    def __str__(self):
        return "%s（%s）" % (self.call.title, self.period)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Answer(models.Model):
    """A recipient unit's answer to one occurrence."""

    class State(models.TextChoices):
        PENDING = "pending", _("未填报")
        DRAFT = "draft", _("草稿")
        REVIEWING = "reviewing", _("待负责人审核")
        SUBMITTED = "submitted", _("已报送")
        RETURNED = "returned", _("已退回")
        ACCEPTED = "accepted", _("已确认")
        MISSED = "missed", _("缺报")

    # Moves a service may make (datacalls.services checks against this).
    MOVES = {
        State.PENDING: {State.DRAFT, State.REVIEWING, State.SUBMITTED, State.MISSED},
        State.DRAFT: {State.DRAFT, State.REVIEWING, State.SUBMITTED, State.MISSED},
        State.RETURNED: {State.DRAFT, State.REVIEWING, State.SUBMITTED, State.MISSED},
        State.REVIEWING: {State.SUBMITTED, State.RETURNED, State.MISSED},
        State.SUBMITTED: {State.RETURNED, State.ACCEPTED},
        State.ACCEPTED: set(),
        State.MISSED: set(),
    }
    OPEN_STATES = (State.PENDING, State.DRAFT, State.RETURNED, State.REVIEWING)
    IN_STATES = (State.SUBMITTED, State.ACCEPTED)

    occurrence = models.ForeignKey(Occurrence, verbose_name=_("期次"), on_delete=models.CASCADE, related_name="answers")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="datacall_answers")
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.PENDING)
    values = models.JSONField(_("填报内容"), default=dict, blank=True)
    file = models.FileField(_("上传的模板"), upload_to="datacalls/answers/%Y/", blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        User, verbose_name=_("报送人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    late = models.BooleanField(_("逾期"), default=False)
    return_reason = models.TextField(_("退回理由"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # The sweep's cursor: the next reminder or escalation.
    notice_at = models.DateTimeField(_("下次提醒时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["notice_at"])

    class Meta:
        ordering = ["unit__sort_order", "unit__code"]
        verbose_name = _("报送答复")
        verbose_name_plural = _("报送答复")
        constraints = [models.UniqueConstraint(fields=["occurrence", "unit"], name="unique_datacall_answer")]
        indexes = [cursor_index("notice_at", name="datacall_answer_due",
                                condition=Q(state__in=["pending", "draft", "returned", "reviewing"]))]

    def __str__(self):
        return "%s · %s" % (self.occurrence, self.unit)

    @property
    def is_in(self) -> bool:
        return self.state in self.IN_STATES


class AnswerFile(models.Model):
    """A file given for a ``file`` field of an answer (value {"name", "id"})."""

    answer = models.ForeignKey(Answer, verbose_name=_("答复"), on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("文件"), upload_to="datacalls/files/%Y/")
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(User, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("答复文件")
        verbose_name_plural = _("答复文件")

    def __str__(self):
        return self.name


class ReplacementFlag(models.Model):
    """A proposal to replace a unit's officer after two consecutive missed
    calls (seed 003: "报送信息、推荐稿件任务连续两次未报送者…提出更换人选").
    One per case: a run of consecutive misses, named by its first missed
    occurrence; a third miss in the same run joins the same flag."""

    class State(models.TextChoices):
        OPEN = "open", _("待处理")
        DONE = "done", _("已处理")

    unit = models.ForeignKey(OrgUnit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="replacement_flags")
    officer = models.ForeignKey(
        Officer, verbose_name=_("联络员"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    call = models.ForeignKey(Call, verbose_name=_("报送任务"), on_delete=models.CASCADE, related_name="flags")
    first_occurrence = models.ForeignKey(
        Occurrence, verbose_name=_("首次缺报"), on_delete=models.CASCADE, related_name="+"
    )
    occurrences = models.ManyToManyField(Occurrence, verbose_name=_("缺报期次"), related_name="flags")
    raised_at = models.DateTimeField(_("提出时间"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN)
    note = models.TextField(_("处理说明"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("更换联络员提示")
        verbose_name_plural = _("更换联络员提示")
        constraints = [models.UniqueConstraint(fields=["unit", "first_occurrence"], name="unique_replacement_case")]

    def __str__(self):
        return "%s · %s" % (self.unit, self.call)
