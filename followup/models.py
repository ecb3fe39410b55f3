"""Follow-up of an item after (or beside) its review (issue 15):

* circulation for reading (传阅 / 抄送): ``Circulation`` sends an item to people
  or units to read, one ``CirculationReader`` per person; reading it is
  recorded per person (``read_at``), and the unread are reminded once after a
  set number of working days (``followup.sweeps``);
* ``ReadReceipt``: that a person has read an item — for circulated items and
  for notices to all staff (通知全体员工: who has read it);
* the office's proposed handling of an incoming document (拟办, ``Proposal``),
  then a leader's instruction (批示, ``Instruction``) naming tasks
  (``InstructionTask``: owner, deadline, what to do) followed like answers —
  reminded, escalated, chased (``TaskChase``, 催办), done with a result or
  cancelled — which hold the item open until none is left open.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from infoflow.models import Item
from liaison.indexes import cursor_index
from officers.models import OrgUnit

User = settings.AUTH_USER_MODEL


class Circulation(models.Model):
    """One sending of an item for reading (传阅), by one person at one time."""

    item = models.ForeignKey(Item, verbose_name=_("信息"), on_delete=models.CASCADE, related_name="circulations")
    sent_by = models.ForeignKey(User, verbose_name=_("传阅人"), on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("传阅时间"), default=timezone.now)
    note = models.TextField(_("传阅说明"), blank=True)
    remind_after_days = models.PositiveSmallIntegerField(_("未阅提醒（工作日）"), default=1)
    remind_at = models.DateTimeField(_("未阅提醒时间"))
    units = models.ManyToManyField(OrgUnit, verbose_name=_("传阅部门"), blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("传阅")
        verbose_name_plural = _("传阅")

    def __str__(self):
        return f"{self.item} · {timezone.localtime(self.sent_at):%Y-%m-%d %H:%M}"


class CirculationReader(models.Model):
    """A person an item was circulated to: in their 待阅 list until read."""

    circulation = models.ForeignKey(Circulation, verbose_name=_("传阅"), on_delete=models.CASCADE,
                                    related_name="readers")
    # The circulation's item again, so that the 待阅 list, the grants and the
    # reading page read one table (never changes).
    item = models.ForeignKey(Item, verbose_name=_("信息"), on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, verbose_name=_("阅读人"), on_delete=models.PROTECT, related_name="readings")
    via_unit = models.ForeignKey(OrgUnit, verbose_name=_("所在部门"), null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    # The reminder sweep's cursor (liaison.sweeps); it also stamps reminded_at.
    notice_at = models.DateTimeField(_("下次提醒时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["notice_at", "reminded_at"])

    class Meta:
        ordering = ["circulation", "pk"]
        verbose_name = _("传阅对象")
        verbose_name_plural = _("传阅对象")
        constraints = [models.UniqueConstraint(fields=["circulation", "user"], name="unique_reader_per_circulation")]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["item", "user"]),
            cursor_index("notice_at", condition=Q(read_at__isnull=True), name="reader_unread_notice_at"),
        ]

    def __str__(self):
        return f"{self.circulation} · {self.user}"


class ReadReceipt(models.Model):
    """That ``user`` has read ``item`` (已阅), once per person and item."""

    item = models.ForeignKey(Item, verbose_name=_("信息"), on_delete=models.CASCADE, related_name="read_receipts")
    user = models.ForeignKey(User, verbose_name=_("阅读人"), on_delete=models.PROTECT, related_name="read_receipts")
    read_at = models.DateTimeField(_("阅读时间"), default=timezone.now)

    class Meta:
        ordering = ["item", "read_at", "pk"]
        verbose_name = _("阅读回执")
        verbose_name_plural = _("阅读回执")
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="unique_read_receipt")]

    def __str__(self):
        return f"{self.item} · {self.user}"


class Proposal(models.Model):
    """The office's proposed handling of an incoming document (拟办), written
    before the leader's instruction."""

    item = models.OneToOneField(Item, verbose_name=_("信息"), on_delete=models.CASCADE, related_name="proposal")
    text = models.TextField(_("拟办意见"))
    proposed_by = models.ForeignKey(User, verbose_name=_("拟办人"), on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("拟办时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("拟办意见")
        verbose_name_plural = _("拟办意见")

    def __str__(self):
        return f"{self.item} · {self.proposed_by}"


class Instruction(models.Model):
    """A leader's instruction (批示) on an item sent upward."""

    item = models.ForeignKey(Item, verbose_name=_("信息"), on_delete=models.CASCADE, related_name="instructions")
    author = models.ForeignKey(User, verbose_name=_("批示人"), on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("批示内容"))
    written_at = models.DateTimeField(_("批示时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "written_at", "pk"]
        verbose_name = _("领导批示")
        verbose_name_plural = _("领导批示")

    def __str__(self):
        return f"{self.item} · {self.author}"


class InstructionTask(models.Model):
    """A task an instruction names: who, by when, what; done with a result."""

    class State(models.TextChoices):
        OPEN = "open", _("办理中")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    instruction = models.ForeignKey(Instruction, verbose_name=_("批示"), on_delete=models.CASCADE,
                                    related_name="tasks")
    item = models.ForeignKey(Item, verbose_name=_("信息"), on_delete=models.CASCADE, related_name="instruction_tasks")
    owner = models.ForeignKey(User, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="instruction_tasks")
    # The owner's unit when the task was given: whose head hears when it is late.
    unit = models.ForeignKey(OrgUnit, verbose_name=_("责任部门"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    what = models.TextField(_("任务内容"))
    due_at = models.DateTimeField(_("完成期限"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.OPEN)
    result = models.TextField(_("办理结果"), blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(User, verbose_name=_("办结人"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    cancel_reason = models.TextField(_("取消原因"), blank=True)
    created_at = models.DateTimeField(_("下达时间"), default=timezone.now)
    # The deadline sweep's cursor (liaison.sweeps).
    notice_at = models.DateTimeField(_("下次提醒时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["notice_at"])

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("批示任务")
        verbose_name_plural = _("批示任务")
        indexes = [
            models.Index(fields=["owner", "state"]),
            cursor_index("notice_at", condition=Q(state="open"), name="task_open_notice_at"),
        ]

    def __str__(self):
        return f"{self.item} · {self.what[:30]}"

    def is_late(self, now=None) -> bool:
        end = self.done_at or now or timezone.now()
        return self.state != self.State.CANCELLED and end > self.due_at


class TaskChase(models.Model):
    """A reminder sent by hand about an open task (催办)."""

    task = models.ForeignKey(InstructionTask, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="chases")
    sent_by = models.ForeignKey(User, verbose_name=_("催办人"), on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("催办时间"), default=timezone.now)

    class Meta:
        ordering = ["task", "-sent_at"]
        verbose_name = _("任务催办")
        verbose_name_plural = _("任务催办")

    def __str__(self):
        return f"{self.task} · {timezone.localtime(self.sent_at):%Y-%m-%d %H:%M}"
