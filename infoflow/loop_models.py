"""The closed loop's small operations (issue 19 §8; seeds 001 and 004):

* ``Outcome`` — the outcome code of an answer (办结 / 部分办结 / 纳入计划 /
  不予采纳 with a reason), kept on ``Receiver`` beside the answer's text;
* ``FollowTask`` — an answer's next step made a tracked task (落实任务: owner,
  due time on the working calendar), shown on the item until done;
* ``Escalation`` — a manual 呈报: a receiver or reviewer sends the item up to
  their superiors with a note, without waiting for a deadline;
* ``StudyConfirmation`` — a unit's confirmation that a notice was studied and
  is carried out (学习/落实), one per receiving unit, reminded by the sweep;
* ``ChecklistEntry`` / ``ChecklistTick`` — the review checklist per stage
  (准确性, 完整性, 合规性, 必要性…), data the secretariat edits, ticked with
  the opinion at approval;
* ``Seal`` / ``SealUse`` — the seals (data) and a seal-use record (用印) kept
  with an external letter's transmission;
* ``LoopEvent`` — one timeline line per operation above (the item page reads
  them in one query).
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison.data_labels import label
from liaison.indexes import cursor_index
from officers.models import OrgUnit

User = settings.AUTH_USER_MODEL


class Outcome(models.TextChoices):
    """Seed 001 §3 五.9: solved at once, or taken into the plan; seed 004 (四): the result."""

    DONE = "done", _("已办结")
    PARTLY = "partly", _("部分办结")
    PLANNED = "planned", _("纳入计划")
    REJECTED = "rejected", _("不予采纳")


class FollowTask(models.Model):
    """An answer's next step followed to its end (落实任务)."""

    class State(models.TextChoices):
        OPEN = "open", _("落实中")
        DONE = "done", _("已落实")
        CANCELLED = "cancelled", _("已取消")

    item = models.ForeignKey("infoflow.Item", verbose_name=_("信息"), on_delete=models.CASCADE,
                             related_name="follow_tasks")
    receiver = models.ForeignKey("infoflow.Receiver", verbose_name=_("接收方"), on_delete=models.CASCADE,
                                 related_name="follow_tasks")
    owner = models.ForeignKey(User, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="follow_tasks")
    what = models.TextField(_("落实事项"))
    due_at = models.DateTimeField(_("完成期限"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.OPEN)
    result = models.TextField(_("落实情况"), blank=True)
    created_by = models.ForeignKey(User, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(User, verbose_name=_("完成人"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    # The deadline sweep's cursor (liaison.sweeps).
    notice_at = models.DateTimeField(_("下次提醒时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["notice_at"])

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("落实任务")
        verbose_name_plural = _("落实任务")
        indexes = [
            models.Index(fields=["item", "state"]),
            cursor_index("notice_at", condition=Q(state="open"), name="followtask_open_notice_at"),
        ]

    def __str__(self):
        return f"{self.item} · {self.what[:30]}"


class Escalation(models.Model):
    """A 呈报 by hand (seed 001 §3 五.2–3: 难以解决的要及时向上级呈报)."""

    item = models.ForeignKey("infoflow.Item", verbose_name=_("信息"), on_delete=models.CASCADE,
                             related_name="escalations")
    sent_by = models.ForeignKey(User, verbose_name=_("呈报人"), on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("呈报时间"), default=timezone.now)
    note = models.TextField(_("呈报说明"))
    superiors = models.ManyToManyField(User, verbose_name=_("呈报对象"), related_name="escalations_received")
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "sent_at", "pk"]
        verbose_name = _("呈报")
        verbose_name_plural = _("呈报")

    def __str__(self):
        return f"{self.item} · {self.sent_by}"


class StudyConfirmation(models.Model):
    """A receiving unit confirms it studied a notice and carries it out
    (seed 001 §2 四.2: 必须组织学习的…各车间应及时组织学习并落实)."""

    class State(models.TextChoices):
        OPEN = "open", _("待确认")
        CONFIRMED = "confirmed", _("已确认")

    item = models.ForeignKey("infoflow.Item", verbose_name=_("信息"), on_delete=models.CASCADE,
                             related_name="study_confirmations")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("确认期限"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.OPEN)
    required_by = models.ForeignKey(User, verbose_name=_("要求人"), on_delete=models.PROTECT, related_name="+")
    required_at = models.DateTimeField(_("要求时间"), default=timezone.now)
    note = models.TextField(_("学习落实情况"), blank=True)
    confirmed_by = models.ForeignKey(User, verbose_name=_("确认人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    notice_at = models.DateTimeField(_("下次提醒时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["notice_at"])

    class Meta:
        ordering = ["item", "unit__sort_order", "pk"]
        verbose_name = _("学习落实确认")
        verbose_name_plural = _("学习落实确认")
        constraints = [models.UniqueConstraint(fields=["item", "unit"], name="unique_study_per_unit")]
        indexes = [cursor_index("notice_at", condition=Q(state="open"), name="study_open_notice_at")]

    def __str__(self):
        return f"{self.item} · {self.unit}"


class ChecklistEntry(models.Model):
    """One point a reviewer checks (seed 004 (二): 准确性、完整性、合规性及必要性;
    publication: format and wording). The secretariat edits the list."""

    class Scope(models.TextChoices):
        ALL = "all", _("全部信息")
        EXTERNAL = "external", _("对外信息")
        PUBLICATION = "publication", _("信息发布")

    text = models.CharField(_("审核要点"), max_length=100)
    scope = models.CharField(_("适用信息"), max_length=20, choices=Scope.choices, default=Scope.EXTERNAL)
    stage_name = models.CharField(_("适用环节"), max_length=50, blank=True, help_text=_("环节名称；留空表示所有审核环节"))
    required = models.BooleanField(_("必须勾选"), default=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("审核要点")
        verbose_name_plural = _("审核要点")

    def __str__(self):
        return label(self.text)


class ChecklistTick(models.Model):
    """The points a reviewer ticked with an approval (the text as it was)."""

    assignee = models.ForeignKey("infoflow.StepAssignee", verbose_name=_("审核人"), on_delete=models.CASCADE,
                                 related_name="ticks")
    entry = models.ForeignKey(ChecklistEntry, verbose_name=_("审核要点"), null=True, on_delete=models.SET_NULL,
                              related_name="+")
    text = models.CharField(_("审核要点"), max_length=100)
    ticked = models.BooleanField(_("已核"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["assignee", "pk"]
        verbose_name = _("审核要点勾选")
        verbose_name_plural = _("审核要点勾选")

    def __str__(self):
        return self.text


class Seal(models.Model):
    """A seal of the organisation (公章, 合同专用章…), data the secretariat keeps."""

    name = models.CharField(_("印章名称"), max_length=50, unique=True)
    keeper = models.CharField(_("保管部门/人"), max_length=100, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("印章")
        verbose_name_plural = _("印章")

    def __str__(self):
        return label(self.name)


class SealUse(models.Model):
    """用印 on an external letter (seed 004 四: 外部函件需加盖企业公章), kept
    with its transmission: which seal, approved by whom and when."""

    item = models.ForeignKey("infoflow.Item", verbose_name=_("信息"), on_delete=models.CASCADE,
                             related_name="seal_uses")
    transmission = models.ForeignKey("infoflow.Transmission", verbose_name=_("传递记录"), on_delete=models.CASCADE,
                                     related_name="seal_uses")
    seal = models.ForeignKey(Seal, verbose_name=_("印章"), on_delete=models.PROTECT, related_name="uses")
    approved_by = models.ForeignKey(User, verbose_name=_("用印审批人"), on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("审批时间"))
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    recorded_by = models.ForeignKey(User, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["transmission", "pk"]
        verbose_name = _("用印记录")
        verbose_name_plural = _("用印记录")

    def __str__(self):
        return f"{self.item} · {self.seal}"


class LoopEvent(models.Model):
    """A line of the item's timeline written by the operations above."""

    class Kind(models.TextChoices):
        OUTCOME = "outcome", _("反馈结果")
        TASK = "task", _("落实任务")
        ESCALATION = "escalation", _("呈报")
        RELAY = "relay", _("转发")
        STUDY = "study", _("学习落实")
        SEAL = "seal", _("用印")
        PAPER = "paper", _("纸质原件")

    item = models.ForeignKey("infoflow.Item", verbose_name=_("信息"), on_delete=models.CASCADE,
                             related_name="loop_events")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(User, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+")
    detail = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["item", "at", "pk"]
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        indexes = [models.Index(fields=["item", "at"])]

    def __str__(self):
        return f"{self.item} · {self.get_kind_display()}"
