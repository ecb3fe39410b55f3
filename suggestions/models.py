"""The suggestion box and the general manager's mailbox (意见箱 / 总经理信箱,
seed 001 "信息沟通管理制度 3": 总经办 keeps the GM's mailbox, 人力资源部 reviews
and supervises suggestions, complaints and reports, both in confidence).

A ``Case`` is what an employee wrote: kind, box, category, text, photos,
whether it is signed and whether the writer may be contacted, and the hash of
its receipt code (the code itself is shown once and never stored). Who wrote
a signed case lives apart, in ``Identity`` (suggestions.identity reads it,
for the named handlers of the case's box only): no history, no admin, no
reverse accessor from the case. An anonymous case has no Identity row and
no user anywhere (its history rows carry no user either).

Handling: the box's ``Handler`` rows (data) name who handles and who may
approve rewards; a handler assigns the case to a unit with a deadline on the
working calendar, writes 督办 notes, the unit records its investigation, the
handler records the finding and the answer, proposes a reward that another
person approves, and closes the case, which seals it (``SealedCase``).
"""
import uuid

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from archive.models import SealedModel
from liaison.indexes import cursor_index
from officers.models import OrgUnit

User = settings.AUTH_USER_MODEL


class Box(models.TextChoices):
    SUGGESTION = "suggestion", _("意见箱")
    GM_MAILBOX = "gm_mailbox", _("总经理信箱")


class Category(models.Model):
    """What a case is about (data: the handlers edit the list in the admin)."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("可选"), default=True)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("意见类别")
        verbose_name_plural = _("意见类别")

    def __str__(self):
        return self.name


class Handler(models.Model):
    """A named person of a box: a handler (办理人: sees the case and, if it is
    signed, who wrote it) or a reward approver (奖励审批人: sees the case
    text, never the writer)."""

    class Role(models.TextChoices):
        HANDLER = "handler", _("办理人")
        APPROVER = "approver", _("奖励审批人")

    box = models.CharField(_("信箱"), max_length=20, choices=Box.choices)
    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="suggestion_boxes")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.HANDLER)
    history = HistoricalRecords()

    class Meta:
        ordering = ["box", "role", "pk"]
        verbose_name = _("信箱办理人")
        verbose_name_plural = _("信箱办理人")
        constraints = [models.UniqueConstraint(fields=["box", "user"], name="unique_suggestion_handler")]

    def __str__(self):
        return "%s · %s" % (self.get_box_display(), self.get_role_display())


class Case(models.Model):
    class Kind(models.TextChoices):
        SUGGESTION = "suggestion", _("合理化建议")
        COMPLAINT = "complaint", _("投诉")
        REPORT = "report", _("举报")

    class State(models.TextChoices):
        NEW = "new", _("待分派")
        ASSIGNED = "assigned", _("调查办理中")
        ANSWERED = "answered", _("已答复")
        CLOSED = "closed", _("已办结")

    class Finding(models.TextChoices):
        FOUNDED = "founded", _("属实")
        UNFOUNDED = "unfounded", _("不属实")
        ADOPTED = "adopted", _("采纳")
        DEFERRED = "deferred", _("纳入计划")
        NOT_ACCEPTED = "not_accepted", _("不予采纳")

    # state → the states it may move to (the services check this mapping).
    MOVES = {
        State.NEW: {State.ASSIGNED, State.ANSWERED},
        State.ASSIGNED: {State.ASSIGNED, State.ANSWERED},
        State.ANSWERED: {State.CLOSED},
        State.CLOSED: set(),
    }
    # Findings that may earn a reward (seed 001 六.2, 六.3).
    REWARDABLE = {Finding.FOUNDED, Finding.ADOPTED}

    number = models.CharField(_("编号"), max_length=20, unique=True)
    box = models.CharField(_("信箱"), max_length=20, choices=Box.choices, default=Box.SUGGESTION)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.SUGGESTION)
    category = models.ForeignKey(Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="cases")
    text = models.TextField(_("内容"))
    signed = models.BooleanField(_("署名"), default=False)
    contact_allowed = models.BooleanField(_("同意联系"), default=False)
    receipt_hash = models.CharField(max_length=64, unique=True, editable=False)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.NEW)
    submitted_at = models.DateTimeField(_("提交时间"))
    unit = models.ForeignKey(OrgUnit, verbose_name=_("承办单位"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="suggestion_cases")
    assigned_at = models.DateTimeField(_("分派时间"), null=True, blank=True)
    assigned_by = models.ForeignKey(User, verbose_name=_("分派人"), null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    due_at = models.DateTimeField(_("办理期限"), null=True, blank=True)
    finding = models.CharField(_("处理结论"), max_length=20, choices=Finding.choices, blank=True)
    answer = models.TextField(_("答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(User, verbose_name=_("答复人"), null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # The sweep's cursor: the next reminder, late notice or escalation (liaison.sweeps).
    notice_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["notice_at", "receipt_hash"])

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("意见箱事项")
        verbose_name_plural = _("意见箱事项")
        indexes = [
            cursor_index("notice_at", name="suggestion_case_due", condition=Q(state="assigned")),
            models.Index(fields=["box", "state"], name="suggestion_box_state"),
        ]

    def __str__(self):
        return self.number

    def may_move_to(self, state) -> bool:
        return state in self.MOVES.get(self.state, set())

    @property
    def is_open(self) -> bool:
        return self.state != self.State.CLOSED

    @property
    def approved_reward(self):
        """The case's reward if it was approved, else None (for the writer's pages)."""
        try:
            reward = self.reward
        except ObjectDoesNotExist:
            return None
        return reward if reward.state == Reward.State.APPROVED else None


def case_file_path(instance, filename):
    # A random name: the stored path says nothing about who uploaded it or what it shows.
    return "suggestions/%s" % uuid.uuid4().hex


class CaseFile(models.Model):
    """A photo the writer attached (checked as item attachments are:
    infoflow.files.inspect_upload, images only). No uploader column."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=case_file_path)
    original_name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("照片")
        verbose_name_plural = _("照片")

    def __str__(self):
        return self.original_name


class Note(models.Model):
    """An entry in the case's record: a 督办 note of a handler or an
    investigation record of the handler or the assigned unit."""

    class Kind(models.TextChoices):
        SUPERVISION = "supervision", _("督办")
        INVESTIGATION = "investigation", _("调查记录")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("内容"))
    by = models.ForeignKey(User, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")

    def __str__(self):
        return "%s %s" % (self.case_id, self.get_kind_display())


class Reward(models.Model):
    """A reward proposed for a founded complaint or an adopted suggestion
    (seed 001 六.2–3), approved or refused by someone other than the proposer."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("未批准")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="reward")
    amount = models.DecimalField(_("金额（元）"), max_digits=9, decimal_places=2)
    reason = models.TextField(_("理由"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.PROPOSED)
    proposed_by = models.ForeignKey(User, verbose_name=_("提议人"), on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("提议时间"))
    decided_by = models.ForeignKey(User, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("奖励")
        verbose_name_plural = _("奖励")

    def __str__(self):
        return "%s %s" % (self.case_id, self.amount)


class Identity(models.Model):
    """Who wrote a signed case. Read only through suggestions.identity (the
    named handlers of the case's box). Deliberately: no history, not in the
    admin, no reverse accessor on Case or User (related_name "+"), SET_NULL
    so the admin's user-deletion page does not list it."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(max_length=150)
    unit_name = models.CharField(max_length=100, blank=True)
    contact = models.CharField(max_length=100, blank=True)

    class Meta:
        default_permissions = ()

    def __str__(self):
        return "—"  # never the name: a stray {{ identity }} must not print it


class SealedCase(SealedModel):
    """A closed case sealed like an archived item (archive.seal): the
    canonical snapshot of the case without the writer, its SHA-256 and an
    HMAC over the previous sealed case's seal, the header and that hash
    (kind ``S``), in a chain of its own. Insert once; never changed."""

    HEADER_FIELDS = ("position", "number", "case_id", "box", "kind", "finding", "closed_at", "sealed_by_id")

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="sealed")
    position = models.PositiveIntegerField(unique=True)
    number = models.CharField(max_length=20)
    box = models.CharField(max_length=20)
    kind = models.CharField(max_length=20)
    finding = models.CharField(max_length=20)
    closed_at = models.DateTimeField()
    sealed_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    content = models.TextField()
    content_sha256 = models.CharField(max_length=64)
    seal = models.CharField(max_length=64)

    class Meta:
        ordering = ["position"]
        verbose_name = _("已封存事项")
        verbose_name_plural = _("已封存事项")

    def __str__(self):
        return self.number
