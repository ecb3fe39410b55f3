"""The appointment workflow (issue 19 §9, seed 003): a department recommends
an officer with the 推荐表 (第九条 "填写《企业工商联络员推荐表》"; 第三条 "由所在
单位按上述条件推荐…报协会秘书处登记备案。协会秘书处经核定，对符合条件者发文公布"),
the secretariat interviews (optional; 联络员工作规则 第七条 "由组织内部推荐，经过
面试、考察等方式选拔") and confirms or rejects, and the confirmed appointment
takes effect in the roster and is announced. A replacement names the current
officer it replaces (第十二条 "…离开该企业的，企业应重新推荐…重新予以确认";
第四条 "联络员实行动态管理").
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

User = settings.AUTH_USER_MODEL

__all__ = ["Recommendation"]


class Recommendation(models.Model):
    """One 推荐表: who is recommended to which unit, why, and what became of it."""

    class Kind(models.TextChoices):
        NEW = "new", _("新任")
        REPLACEMENT = "replacement", _("更换")

    class State(models.TextChoices):
        RECOMMENDED = "recommended", _("已推荐")
        INTERVIEW = "interview", _("已安排面谈")
        CONFIRMED = "confirmed", _("已确认任命")
        REJECTED = "rejected", _("未通过")
        WITHDRAWN = "withdrawn", _("已撤回")

    # The allowed moves (conventions: "an item's allowed moves live in one
    # mapping on the model"); an interview may be moved again.
    MOVES = {
        State.RECOMMENDED: {State.INTERVIEW, State.CONFIRMED, State.REJECTED, State.WITHDRAWN},
        State.INTERVIEW: {State.INTERVIEW, State.CONFIRMED, State.REJECTED, State.WITHDRAWN},
    }
    OPEN_STATES = (State.RECOMMENDED, State.INTERVIEW)

    unit = models.ForeignKey("officers.OrgUnit", verbose_name=_("推荐单位"), on_delete=models.PROTECT,
                             related_name="recommendations")
    kind = models.CharField(_("推荐类型"), max_length=20, choices=Kind.choices, default=Kind.NEW)
    candidate = models.ForeignKey(User, verbose_name=_("被推荐人"), on_delete=models.PROTECT, related_name="+")
    replaces = models.ForeignKey("officers.Officer", verbose_name=_("接替的联络员"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="replacement_recommendations")
    is_primary = models.BooleanField(_("主联络员"), default=True)
    phone = models.CharField(_("电话"), max_length=30)
    email = models.EmailField(_("邮箱"), blank=True)
    reasons = models.TextField(_("推荐理由"))
    qualifications = models.TextField(_("任职条件"), help_text=_("政治素质、沟通协调能力、熟悉本单位工作情况等"))
    form_file = models.FileField(_("推荐表（签字盖章）"), upload_to="officers/recommendations/%Y/")
    form_name = models.CharField(_("推荐表文件名"), max_length=255, blank=True)
    recommended_by = models.ForeignKey(User, verbose_name=_("推荐人"), on_delete=models.PROTECT, related_name="+")
    recommended_at = models.DateTimeField(_("推荐时间"), default=timezone.now)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.RECOMMENDED,
                             db_index=True)
    interview_at = models.DateTimeField(_("面谈时间"), null=True, blank=True)
    interview_place = models.CharField(_("面谈地点"), max_length=200, blank=True)
    interview_note = models.TextField(_("面谈说明"), blank=True)
    decided_by = models.ForeignKey(User, verbose_name=_("处理人"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.TextField(_("处理意见"), blank=True)
    effective_on = models.DateField(_("任命生效日期"), null=True, blank=True)
    officer = models.ForeignKey("officers.Officer", verbose_name=_("任命记录"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    announced_at = models.DateTimeField(_("公告时间"), null=True, blank=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-recommended_at", "-pk"]
        verbose_name = _("联络员推荐")
        verbose_name_plural = _("联络员推荐")
        constraints = [
            models.CheckConstraint(name="replacement_names_officer",
                                   condition=~Q(kind="replacement") | Q(replaces__isnull=False)),
        ]

    def __str__(self):
        name = self.candidate.get_full_name() or self.candidate.username
        return f"{self.unit} · {name} · {self.get_state_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def may_move_to(self, state) -> bool:
        return state in self.MOVES.get(self.state, set())
