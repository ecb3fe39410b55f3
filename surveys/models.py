"""Surveys (问卷调查): the secretariat's short questionnaires on the effect
of the information work and satisfaction (seed 000 1.3 "通过调查问卷、反馈意见
等方式了解信息的接收情况"; seed 001 信息沟通 "对信息沟通的效果进行考核评估";
seed 000/001/003 满意度).

A ``Survey`` has ordered ``Question`` rows (single choice, multiple choice,
scale 1–N, free text) with their ``Option`` rows, and ``Recipient`` rows:
members of staff (chosen people, or a unit's people through
``infoflow.people.unit_people``) who answer logged in, and external
contacts who answer through a link carrying their own unguessable token.
States: draft → open → closed (``Survey.MOVES``).

Anonymity (the suggestion box's way, suggestions.identity): a ``Response``
of an anonymous survey names nobody — no user, no recipient, no time, not
even the day — and neither responses nor their answers keep a history (a
history row would carry the request's user and the exact time). Who has
answered is kept apart, on ``Recipient.answered`` only, to refuse a second
answer and to remind those still out; it is set by a conditional UPDATE
(the claim) and so leaves no history row with a time either. The
secretariat sees, for an anonymous survey, how many answered, never who.
"""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison.indexes import cursor_index
from officers.models import ExternalContact, OrgUnit

User = settings.AUTH_USER_MODEL


class Survey(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结束")

    # state → the states it may move to (the services check this mapping).
    MOVES = {State.DRAFT: {State.OPEN}, State.OPEN: {State.CLOSED}, State.CLOSED: set()}

    title = models.CharField(_("标题"), max_length=200)
    intro = models.TextField(_("说明"), blank=True)
    anonymous = models.BooleanField(_("匿名"), default=True,
                                    help_text=_("匿名时，结果和导出都不显示答卷人。"))
    working_days = models.PositiveSmallIntegerField(_("填写期限（工作日）"), default=5)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    viewers = models.ManyToManyField(User, verbose_name=_("可查看结果的人员"), blank=True, related_name="+")
    created_by = models.ForeignKey(User, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    opened_at = models.DateTimeField(_("发出时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("截止时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closed_by = models.ForeignKey(User, verbose_name=_("结束人"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    # Counted by the answer service under the survey's row lock: "has answers" without a query per page.
    responses_count = models.PositiveIntegerField(_("答卷数"), default=0, editable=False)
    # The sweep's cursor: an open survey closes itself at its deadline (liaison.sweeps).
    notice_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["responses_count", "notice_at"], m2m_fields=[viewers])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("问卷")
        verbose_name_plural = _("问卷")
        indexes = [models.Index(fields=["state", "due_at"], name="survey_state_due"),
                   cursor_index("notice_at", name="survey_open_due", condition=Q(state="open"))]

    def __str__(self):
        return self.title

    def is_accepting(self, now) -> bool:
        """Open and before its deadline: answers are taken."""
        return self.state == self.State.OPEN and (self.due_at is None or now < self.due_at)


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("单选")
        MULTIPLE = "multiple", _("多选")
        SCALE = "scale", _("评分")
        TEXT = "text", _("文字")

    CHOICE_KINDS = {Kind.SINGLE, Kind.MULTIPLE}

    survey = models.ForeignKey(Survey, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    kind = models.CharField(_("题型"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    text = models.CharField(_("题目"), max_length=300)
    required = models.BooleanField(_("必答"), default=True)
    scale_max = models.PositiveSmallIntegerField(_("最高分"), default=5)
    history = HistoricalRecords()

    class Meta:
        ordering = ["survey", "position", "pk"]
        verbose_name = _("问卷题目")
        verbose_name_plural = _("问卷题目")

    def __str__(self):
        return self.text

    @property
    def is_choice(self) -> bool:
        return self.kind in self.CHOICE_KINDS

    @property
    def scale_values(self) -> range:
        return range(1, self.scale_max + 1)


class Option(models.Model):
    question = models.ForeignKey(Question, verbose_name=_("题目"), on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    text = models.CharField(_("选项"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["question", "position", "pk"]
        verbose_name = _("选项")
        verbose_name_plural = _("选项")

    def __str__(self):
        return self.text


class Recipient(models.Model):
    """One person asked to answer: a member of staff (``user``; ``unit`` when
    they were added as one of a unit's people) or an external contact
    (``contact``, who answers through ``token`` without logging in)."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("本单位人员")
        EXTERNAL = "external", _("外部联系人")

    survey = models.ForeignKey(Survey, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="recipients")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    user = models.ForeignKey(User, verbose_name=_("人员"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="survey_invitations")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("所在单位"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    contact = models.ForeignKey(ExternalContact, verbose_name=_("外部联系人"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="survey_invitations")
    # secrets.token_urlsafe(32): 256 random bits, one per external recipient, never shown in the admin.
    token = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    added_at = models.DateTimeField(_("加入时间"), auto_now_add=True)
    # Set once, by the answer service's conditional UPDATE (no history row, no time: anonymity).
    answered = models.BooleanField(_("已填写"), default=False, editable=False)
    # The sweep's cursor: the reminder before the deadline (liaison.sweeps).
    notice_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["token", "answered", "notice_at"])

    class Meta:
        ordering = ["survey", "kind", "pk"]
        verbose_name = _("问卷对象")
        verbose_name_plural = _("问卷对象")
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="unique_survey_user",
                                    condition=Q(user__isnull=False)),
            models.UniqueConstraint(fields=["survey", "contact"], name="unique_survey_contact",
                                    condition=Q(contact__isnull=False)),
            models.CheckConstraint(name="survey_recipient_one_kind", condition=(
                Q(kind="staff", user__isnull=False, contact__isnull=True)
                | Q(kind="external", contact__isnull=False, user__isnull=True, token__isnull=False))),
        ]
        indexes = [cursor_index("notice_at", name="survey_recipient_due", condition=Q(answered=False))]

    def __str__(self):
        if self.contact_id:
            return str(self.contact)
        return str(self.user)


class Response(models.Model):
    """One filled questionnaire. Anonymous survey: ``recipient``,
    ``submitted_at`` and ``submitted_on`` are None — not even the day, which
    set beside the reminders (who had not answered a day before the
    deadline) could tell answers apart — and the key is a random UUID, so
    not even the order of rows tells who answered first. No history (module
    doc)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="responses")
    recipient = models.ForeignKey(Recipient, verbose_name=_("答卷人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        ordering = ["survey"]
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")


class Answer(models.Model):
    """One question's answer in a response: a chosen option (one row per
    option of a multiple choice), a score, or a text."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    option = models.ForeignKey(Option, null=True, blank=True, on_delete=models.CASCADE, related_name="answers")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("答案")
        verbose_name_plural = _("答案")
