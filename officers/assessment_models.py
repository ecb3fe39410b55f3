"""The yearly assessment of liaison officers (考评, issue 14 §6; seed 003 第六章
考评与表彰, seed 001 信息沟通考核制度).

HR opens a period (a year) with its criteria: each criterion has a weight
(the points it is worth) and a source — a part computed from the year's
records (items and their adoption, data calls answered on time, review steps
decided on time, meetings, training hours, accountability deductions) or a
hand-scored part (attitude, network and rules building, dues…). Each officer
of the year gets one ``AssessmentResult`` holding every part with the records
behind it (``parts``), the hand scores entered with a comment, HR's
adjustment with its reason (kept in history), the total and the rank. When
HR publishes the period the ranking is frozen, pass/fail decided and the
excellent officers named (``OfficerAward``).

Services: officers/assessment.py; rules of who sees what: the same module.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

User = settings.AUTH_USER_MODEL

__all__ = ["AssessmentPeriod", "Criterion", "AssessmentResult", "HandScore", "OfficerAward"]


class AssessmentPeriod(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("考评中")
        PUBLISHED = "published", _("已发布")

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    title = models.CharField(_("名称"), max_length=100)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.OPEN)
    opened_by = models.ForeignKey(User, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("发起时间"))
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        User, verbose_name=_("发布人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    # The rules in force when published (settings may change later).
    pass_mark = models.DecimalField(_("合格分数线"), max_digits=6, decimal_places=2, null=True, blank=True)
    excellent_rule = models.CharField(_("优秀评定规则"), max_length=40, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("考评年度")
        verbose_name_plural = _("考评年度")

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED


class Criterion(models.Model):
    """One part of the score: ``weight`` points at most (for accountability,
    the most that can be deducted). ``target`` is what earns the full weight
    for the computed parts that count up (adoption points, training hours)."""

    class Source(models.TextChoices):
        ITEMS = "items", _("信息报送与采用")
        DATACALLS = "datacalls", _("报送任务按时完成")
        REVIEWS = "reviews", _("审核环节及时性")
        MEETINGS = "meetings", _("例会出勤")
        TRAINING = "training", _("培训学时")
        ACCOUNTABILITY = "accountability", _("责任追究扣分")
        MANUAL = "manual", _("人工评分")

    period = models.ForeignKey(AssessmentPeriod, verbose_name=_("考评年度"), on_delete=models.CASCADE,
                               related_name="criteria")
    code = models.SlugField(_("编码"), max_length=30)
    name = models.CharField(_("考评项"), max_length=50)
    source = models.CharField(_("计分来源"), max_length=20, choices=Source.choices)
    weight = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    target = models.DecimalField(_("满分标准"), max_digits=8, decimal_places=2, null=True, blank=True,
                                 help_text=_("采用积分或培训学时达到此数得满分"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["period", "sort_order", "pk"]
        verbose_name = _("考评项")
        verbose_name_plural = _("考评项")
        constraints = [models.UniqueConstraint(fields=["period", "code"], name="unique_criterion_code")]

    def __str__(self):
        return "%s · %s" % (self.period, self.name)

    @property
    def is_manual(self) -> bool:
        return self.source == self.Source.MANUAL


class AssessmentResult(models.Model):
    """One officer's result for the year. ``parts``: {criterion code:
    {"name", "source", "weight", "score", "raw", "note", "records": [{"date",
    "label", "detail", "points"}]}} as computed (hand-scored parts read their
    HandScore); ``total`` = the parts + ``adjustment``."""

    period = models.ForeignKey(AssessmentPeriod, verbose_name=_("考评年度"), on_delete=models.CASCADE,
                               related_name="results")
    user = models.ForeignKey(User, verbose_name=_("联络员"), on_delete=models.PROTECT, related_name="assessment_results")
    unit = models.ForeignKey("officers.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="assessment_results")
    parts = models.JSONField(_("分项得分"), default=dict, blank=True)
    computed_score = models.DecimalField(_("计算得分"), max_digits=6, decimal_places=2, default=0)
    adjustment = models.DecimalField(_("调整分"), max_digits=6, decimal_places=2, default=0)
    adjustment_reason = models.TextField(_("调整理由"), blank=True)
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2, default=0)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    passed = models.BooleanField(_("合格"), null=True, blank=True)
    excellent = models.BooleanField(_("年度优秀联络员"), default=False)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["parts"])

    class Meta:
        ordering = ["period", "rank", "-total", "user__username"]
        verbose_name = _("考评结果")
        verbose_name_plural = _("考评结果")
        constraints = [models.UniqueConstraint(fields=["period", "user"], name="unique_assessment_result")]

    def __str__(self):
        return "%s · %s" % (self.period, self.user)


class HandScore(models.Model):
    """A hand-scored criterion for one officer, with the scorer's comment."""

    result = models.ForeignKey(AssessmentResult, verbose_name=_("考评结果"), on_delete=models.CASCADE,
                               related_name="hand_scores")
    criterion = models.ForeignKey(Criterion, verbose_name=_("考评项"), on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    comment = models.TextField(_("评语"))
    scored_by = models.ForeignKey(User, verbose_name=_("评分人"), on_delete=models.PROTECT, related_name="+")
    scored_at = models.DateTimeField(_("评分时间"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["result", "criterion__sort_order"]
        verbose_name = _("人工评分")
        verbose_name_plural = _("人工评分")
        constraints = [models.UniqueConstraint(fields=["result", "criterion"], name="unique_hand_score")]

    def __str__(self):
        return "%s · %s" % (self.result, self.criterion.name)


class OfficerAward(models.Model):
    """An award on the officer's record (年度优秀联络员)."""

    user = models.ForeignKey(User, verbose_name=_("联络员"), on_delete=models.PROTECT, related_name="officer_awards")
    unit = models.ForeignKey("officers.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(AssessmentPeriod, verbose_name=_("考评年度"), on_delete=models.PROTECT,
                               related_name="awards")
    title = models.CharField(_("荣誉"), max_length=50)
    score = models.DecimalField(_("总分"), max_digits=6, decimal_places=2)
    awarded_at = models.DateTimeField(_("授予时间"))
    awarded_by = models.ForeignKey(User, verbose_name=_("授予人"), on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period__year", "user__username"]
        verbose_name = _("联络员荣誉")
        verbose_name_plural = _("联络员荣誉")
        constraints = [models.UniqueConstraint(fields=["user", "period", "title"], name="unique_officer_award")]

    def __str__(self):
        return "%s · %s" % (self.user, self.title)
