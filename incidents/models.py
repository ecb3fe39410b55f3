"""The security incident register (信息安全事件登记, issue 19 §6; seed 002
"五、信息安全管理": 制定信息安全应急预案, 确保在信息安全事件发生时能够及时、有效地进行处理;
seed 003 篇三 信息安全联络员制度: 向公安机关及时报告 … 安全事故).

An ``Incident`` says what happened, when and by whom it was found, which
system and which information items it concerns (``IncidentItem``: links by
id, shown only to those who may see the item), its ``Severity`` (data the
secretariat edits: time limit and reminder interval in working days), the
measures taken and to whom it was reported (``Entry``: its timeline), and
how it closed. States: open → handling → closed, and closed → handling again
(reopened with a reason). Who sees it: incidents.selectors.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison.indexes import cursor_index

User = settings.AUTH_USER_MODEL


class Severity(models.Model):
    """A severity level (data: the secretariat edits the list in the admin).
    ``limit_days``: working days from registration within which the incident
    should be closed (past it the secretariat lead is told); ``remind_days``:
    the handler is reminded every so many working days while it is open."""

    code = models.SlugField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    limit_days = models.PositiveSmallIntegerField(_("处置时限（工作日）"), default=5)
    remind_days = models.PositiveSmallIntegerField(_("提醒间隔（工作日）"), default=1)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("可选"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("事件等级")
        verbose_name_plural = _("事件等级")
        constraints = [
            models.CheckConstraint(condition=Q(remind_days__gte=1), name="incident_severity_remind_positive"),
        ]

    def __str__(self):
        return self.name


class Incident(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("待处置")
        HANDLING = "handling", _("处置中")
        CLOSED = "closed", _("已结案")

    # state → the states it may move to (the services check this mapping).
    MOVES = {
        State.OPEN: {State.HANDLING, State.CLOSED},
        State.HANDLING: {State.HANDLING, State.CLOSED},
        State.CLOSED: {State.HANDLING},  # reopened, with a reason
    }
    OPEN_STATES = (State.OPEN, State.HANDLING)

    number = models.CharField(_("编号"), max_length=20, unique=True, null=True, blank=True)
    title = models.CharField(_("事件概要"), max_length=200)
    description = models.TextField(_("经过"))
    found_at = models.DateTimeField(_("发现时间"))
    found_by = models.CharField(_("发现人"), max_length=100)
    system = models.CharField(_("涉及系统"), max_length=200, blank=True)
    severity = models.ForeignKey(Severity, verbose_name=_("等级"), on_delete=models.PROTECT, related_name="incidents")
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.OPEN)
    reporter = models.ForeignKey(User, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+")
    handler = models.ForeignKey(User, verbose_name=_("处置人"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    # Start of the current round (registration, or the last reopening): the limit and reminders count from it.
    round_started_at = models.DateTimeField(_("本轮开始时间"), default=timezone.now)
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    due_at = models.DateTimeField(_("处置时限"))
    conclusion = models.TextField(_("结论"), blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    closed_by = models.ForeignKey(User, verbose_name=_("结案人"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    # The sweep's cursor (liaison.sweeps) and the escalation's claim for the current round.
    notice_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["notice_at", "escalated_at"])

    class Meta:
        ordering = ["-found_at", "-pk"]
        verbose_name = _("安全事件")
        verbose_name_plural = _("安全事件")
        indexes = [
            cursor_index("notice_at", name="incident_open_due", condition=Q(state__in=["open", "handling"])),
            models.Index(fields=["state", "found_at"], name="incident_state_found"),
        ]

    def __str__(self):
        return self.number or "#%s" % self.pk

    def may_move_to(self, state) -> bool:
        return state in self.MOVES.get(self.state, set())

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def is_late(self, now=None) -> bool:
        return self.is_open and (now or timezone.now()) > self.due_at


class IncidentItem(models.Model):
    """An information item the incident concerns (linked by id; the page
    shows it only to those who may see the item)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="item_links")
    item = models.ForeignKey("infoflow.Item", verbose_name=_("信息"), on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(User, verbose_name=_("关联人"), on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("关联时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("关联信息")
        verbose_name_plural = _("关联信息")
        constraints = [models.UniqueConstraint(fields=["incident", "item"], name="unique_incident_item")]

    def __str__(self):
        return "%s · %s" % (self.incident_id, self.item_id)


class Entry(models.Model):
    """One line of an incident's timeline: a measure taken, a report to an
    outside body or a superior (to whom, when), or a change of state
    (handling started, closed, reopened with the reason)."""

    class Kind(models.TextChoices):
        MEASURE = "measure", _("处置措施")
        REPORT = "report", _("上报")
        ASSIGN = "assign", _("指派处置人")
        CLOSE = "close", _("结案")
        REOPEN = "reopen", _("重新处置")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("时间"))
    text = models.TextField(_("内容"))
    reported_to = models.CharField(_("上报对象"), max_length=200, blank=True)
    by = models.ForeignKey(User, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("处置记录")
        verbose_name_plural = _("处置记录")

    def __str__(self):
        return "%s %s" % (self.incident_id, self.get_kind_display())
