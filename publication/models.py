"""Publication (seed 002, 信息发布中心管理制度): what happens to an approved
publication item after the route — reviewers' edits kept as diffs, channels
as data, a release record per channel, release plans, the intranet bulletin
(/bulletin/) with categories, views and reader feedback, and corrections.

Rules from seed 002 §三(四): 发布前再次核对 (the re-check is a route stage of
kind "recheck", infoflow.RouteStage.kind), 重要信息提前制定发布方案 (ReleasePlan),
发布后跟踪效果、收集反馈 (views, Feedback); §四: the channels (内部网站、微信公众号、
宣传栏、邮件) each with a manager (管理员).
"""
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from infoflow.models import Item

User = settings.AUTH_USER_MODEL


class DistributionList(models.Model):
    """An e-mail distribution list kept in the admin (seed 002 §四(四))."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    addresses = models.TextField(_("邮件地址"), help_text=_("每行一个邮件地址"))
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("邮件分发列表")
        verbose_name_plural = _("邮件分发列表")

    def __str__(self):
        return self.name

    @property
    def address_list(self) -> list[str]:
        return [a.strip() for a in self.addresses.replace(",", "\n").splitlines() if a.strip()]


class Channel(models.Model):
    """A release channel the secretariat edits (replaces the fixed list)."""

    class Kind(models.TextChoices):
        BULLETIN = "bulletin", _("门户公告栏")
        EMAIL = "email", _("邮件列表")
        OUTSIDE = "outside", _("外部渠道")

    code = models.SlugField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    manager = models.ForeignKey(User, verbose_name=_("管理员"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    distribution_list = models.ForeignKey(DistributionList, verbose_name=_("邮件分发列表"), null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="channels")
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("发布渠道")
        verbose_name_plural = _("发布渠道")
        constraints = [
            models.CheckConstraint(name="email_channel_has_list",
                                   condition=~Q(kind="email") | Q(distribution_list__isnull=False)),
        ]

    def __str__(self):
        return self.name


class BulletinCategory(models.Model):
    """A column of the bulletin page (新闻动态, 通知公告, 工作简讯), as data."""

    code = models.SlugField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("公告栏目")
        verbose_name_plural = _("公告栏目")

    def __str__(self):
        return self.name


class ItemEdit(models.Model):
    """One reviewer's change of one field or attachment of an item (before →
    after, who, when, at which stage); the timeline shows it as a diff."""

    class Field(models.TextChoices):
        SUBJECT = "subject", _("信息主题")
        SUMMARY = "summary", _("内容摘要")
        ATTACHMENT_ADDED = "attachment_added", _("添加附件")
        ATTACHMENT_REMOVED = "attachment_removed", _("删除附件")

    item = models.ForeignKey(Item, verbose_name=_("信息"), on_delete=models.CASCADE, related_name="publication_edits")
    field = models.CharField(_("修改内容"), max_length=30, choices=Field.choices)
    before = models.TextField(_("修改前"), blank=True)
    after = models.TextField(_("修改后"), blank=True)
    stage_name = models.CharField(_("环节"), max_length=50, blank=True)
    edited_by = models.ForeignKey(User, verbose_name=_("修改人"), on_delete=models.PROTECT, related_name="+")
    edited_at = models.DateTimeField(_("修改时间"), default=timezone.now)

    class Meta:
        ordering = ["item", "edited_at", "pk"]
        verbose_name = _("审核修改")
        verbose_name_plural = _("审核修改")
        indexes = [models.Index(fields=["item", "edited_at"])]

    def __str__(self):
        return f"{self.item_id} · {self.get_field_display()}"


class Release(models.Model):
    """An item's publication: its bulletin category and the records of the
    channels it went out on. One per item."""

    item = models.OneToOneField(Item, verbose_name=_("信息"), on_delete=models.PROTECT, related_name="release")
    category = models.ForeignKey(BulletinCategory, verbose_name=_("公告栏目"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="releases")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = models.ForeignKey(User, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+")
    first_released_at = models.DateTimeField(_("首次发布时间"), null=True, blank=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-first_released_at", "-pk"]
        verbose_name = _("信息发布")
        verbose_name_plural = _("信息发布")
        indexes = [
            # The bulletin's order (newest first, then by id): the home card's
            # newest three walk it and stop, where first_released_at alone
            # sorted every release (15 ms at 500 releases; issue 12).
            models.Index(F("first_released_at").desc(), F("id").desc(), name="release_bulletin_order",
                         condition=Q(first_released_at__isnull=False)),
        ]

    def __str__(self):
        return str(self.item)


def evidence_path(instance, filename):
    import uuid  # noqa: PLC0415  (kept beside its one use, like infoflow.attachment_path)

    return f"publication/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class ReleaseRecord(models.Model):
    """The item's release on one channel: when, where (link), who, evidence.
    The channel's name and kind are stored as they were at release, so a
    renamed channel does not rewrite what was released where."""

    release = models.ForeignKey(Release, verbose_name=_("信息发布"), on_delete=models.CASCADE, related_name="records")
    channel = models.ForeignKey(Channel, verbose_name=_("发布渠道"), on_delete=models.PROTECT, related_name="records")
    channel_name = models.CharField(_("渠道名称（发布时）"), max_length=100)
    channel_kind = models.CharField(_("渠道类型（发布时）"), max_length=20, choices=Channel.Kind.choices)
    released_at = models.DateTimeField(_("发布时间"), default=timezone.now, db_index=True)
    released_by = models.ForeignKey(User, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+")
    link = models.URLField(_("链接"), max_length=500, blank=True)
    evidence = models.FileField(_("发布凭证"), upload_to=evidence_path, blank=True)
    evidence_name = models.CharField(_("凭证文件名"), max_length=255, blank=True)
    recipients = models.PositiveIntegerField(_("收件人数"), default=0)
    views = models.PositiveIntegerField(_("浏览次数"), default=0)
    note = models.TextField(_("说明"), blank=True)
    history = HistoricalRecords(excluded_fields=["views"])

    class Meta:
        ordering = ["-released_at", "-pk"]
        verbose_name = _("发布记录")
        verbose_name_plural = _("发布记录")
        constraints = [models.UniqueConstraint(fields=["release", "channel"], name="one_record_per_channel")]
        indexes = [models.Index(fields=["channel", "released_at"])]

    def __str__(self):
        return f"{self.release} · {self.channel_name}"


class ReleasePlan(models.Model):
    """A release plan for an important release (seed 002 §三(四)3: 提前制定发布方案,
    预热宣传, 安排专人负责)."""

    class State(models.TextChoices):
        PLANNED = "planned", _("计划中")
        DONE = "done", _("已发布")
        CANCELLED = "cancelled", _("已取消")

    release = models.OneToOneField(Release, verbose_name=_("信息发布"), on_delete=models.CASCADE, related_name="plan")
    planned_on = models.DateField(_("计划发布日期"), db_index=True)
    channels = models.ManyToManyField(Channel, verbose_name=_("发布渠道"), related_name="plans")
    person_in_charge = models.ForeignKey(User, verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="+")
    preparation = models.TextField(_("发布前准备"), blank=True, help_text=_("预热宣传、物料、审核安排等"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.PLANNED)
    created_by = models.ForeignKey(User, verbose_name=_("制定人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("制定时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["planned_on", "pk"]
        verbose_name = _("发布方案")
        verbose_name_plural = _("发布方案")

    def __str__(self):
        return f"{self.release} · {self.planned_on}"


class Feedback(models.Model):
    """A reader's feedback on a bulletin release (seed 002: 收集反馈意见)."""

    release = models.ForeignKey(Release, verbose_name=_("信息发布"), on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(User, verbose_name=_("读者"), on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("反馈内容"), max_length=2000)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["release", "-created_at", "-pk"]
        verbose_name = _("读者反馈")
        verbose_name_plural = _("读者反馈")
        indexes = [models.Index(fields=["release", "created_at"])]

    def __str__(self):
        return f"{self.release} · {self.author}"


class Correction(models.Model):
    """A correction or retraction (更正 / 撤回): a new item linked to the
    original item (and its archived record when it has one). The archived
    record is never changed; the link is shown from it."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("更正")
        RETRACTION = "retraction", _("撤回")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    item = models.OneToOneField(Item, verbose_name=_("更正信息"), on_delete=models.PROTECT,
                                related_name="correction_of")
    original = models.ForeignKey(Item, verbose_name=_("原信息"), on_delete=models.PROTECT, related_name="corrections")
    original_record = models.ForeignKey("archive.ArchivedRecord", verbose_name=_("原归档记录"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="corrections")
    created_by = models.ForeignKey(User, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["original", "created_at", "pk"]
        verbose_name = _("更正与撤回")
        verbose_name_plural = _("更正与撤回")
        constraints = [models.CheckConstraint(name="correction_not_self", condition=~Q(item=models.F("original")))]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.original}"
