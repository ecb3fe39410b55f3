"""The organisation's own rules (issue 19 §5; seeds 001 and 003): the
implementing rules (实施细则) and this product's other rules texts, kept as
documents with versions, revised yearly (seed 001 制度1 "六、本制度每年修订一次";
制度5 "本制度由公司综合管理部负责解释和修订"), and read by every officer, who
confirms it (seed 003 第六条(一) "认真学习…企业…规章制度"; 规章制度联络员
"组织开展规章制度培训，提高员工的规章制度意识"; 第七条 "新任命的联络员…岗位培训").

* ``RuleDocument``: one rules text (title, code, the unit that interprets and
  revises it, how often it is revised, how many working days officers have to
  confirm a new version) and the yearly revision cursor;
* ``RuleVersion``: one version (number, text or uploaded file, effective date,
  summary of changes): a draft, the current one (one per document) or
  superseded — older versions stay readable;
* ``ReadConfirmation``: one officer's read receipt of one version, asked when
  the version is published or when the officer is appointed (induction), with
  the reminder's cursor.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison.indexes import cursor_index

User = settings.AUTH_USER_MODEL


class RuleDocument(models.Model):
    code = models.CharField(_("制度编号"), max_length=30, unique=True)
    title = models.CharField(_("制度名称"), max_length=200)
    owner_unit = models.ForeignKey("officers.OrgUnit", verbose_name=_("负责解释和修订的部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("说明"), blank=True)
    revise_every_months = models.PositiveSmallIntegerField(
        _("修订周期（月）"), default=12, help_text=_("到期时提醒秘书处修订（种子 001：本制度每年修订一次）"))
    confirm_within_days = models.PositiveSmallIntegerField(
        _("阅读确认期限（工作日）"), default=5, help_text=_("新版本发布或新联络员任命后，逾期未确认的提醒一次"))
    is_active = models.BooleanField(_("有效"), default=True)
    revision_due_on = models.DateField(_("下次修订日期"), null=True, blank=True)
    created_by = models.ForeignKey(User, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    # The yearly revision sweep's cursor (rules.sweeps, liaison.sweeps).
    notice_at = models.DateTimeField(_("下次提醒时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["notice_at"])

    class Meta:
        ordering = ["code"]
        verbose_name = _("制度")
        verbose_name_plural = _("制度")
        indexes = [cursor_index("notice_at", condition=Q(is_active=True, revision_due_on__isnull=False),
                                name="ruledocument_revision_notice")]

    def __str__(self):
        return f"{self.code} {self.title}"


class RuleVersion(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        CURRENT = "current", _("现行")
        SUPERSEDED = "superseded", _("已废止")

    document = models.ForeignKey(RuleDocument, verbose_name=_("制度"), on_delete=models.PROTECT,
                                 related_name="versions")
    number = models.CharField(_("版本号"), max_length=30, help_text=_("例如 2026 版、V2"))
    text = models.TextField(_("正文"), blank=True)
    file = models.FileField(_("制度文件"), upload_to="rules/%Y/", blank=True)
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    effective_on = models.DateField(_("生效日期"))
    changes = models.TextField(_("修订说明"), blank=True, help_text=_("本版本与上一版本相比修改了什么"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    created_by = models.ForeignKey(User, verbose_name=_("起草人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("起草时间"), default=timezone.now)
    published_by = models.ForeignKey(User, verbose_name=_("发布人"), null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("废止时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["document", "-published_at", "-pk"]
        verbose_name = _("制度版本")
        verbose_name_plural = _("制度版本")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="unique_rule_version_number"),
            # A new version supersedes the current one: at most one is in force.
            models.UniqueConstraint(fields=["document"], condition=Q(state="current"),
                                    name="one_current_rule_version"),
        ]

    def __str__(self):
        return f"{self.document.title} · {self.number}"

    @property
    def is_current(self) -> bool:
        return self.state == self.State.CURRENT


class ReadConfirmation(models.Model):
    """That ``user`` has read ``version`` (``confirmed_at``), or is still asked to."""

    class Reason(models.TextChoices):
        PUBLISHED = "published", _("新版本发布")
        INDUCTION = "induction", _("新任联络员")

    version = models.ForeignKey(RuleVersion, verbose_name=_("制度版本"), on_delete=models.CASCADE,
                                related_name="confirmations")
    user = models.ForeignKey(User, verbose_name=_("联络员"), on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("事由"), max_length=20, choices=Reason.choices, default=Reason.PUBLISHED)
    requested_at = models.DateTimeField(_("要求确认时间"), default=timezone.now)
    remind_at = models.DateTimeField(_("提醒时间"))
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    # The reminder sweep's cursor (rules.sweeps).
    notice_at = models.DateTimeField(_("下次提醒时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["notice_at"])

    class Meta:
        ordering = ["version", "user_id"]
        verbose_name = _("阅读确认")
        verbose_name_plural = _("阅读确认")
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="one_confirmation_per_version_user")]
        indexes = [cursor_index("notice_at", condition=Q(confirmed_at__isnull=True),
                                name="readconfirmation_open_notice")]

    def __str__(self):
        return f"{self.version} · {self.user}"
