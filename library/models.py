"""The information library (资料库) and the departments' information needs
(信息需求), seed 000 §2 (信息资源的分类和整理、存储和更新、检索和利用; "建立信息库",
"确定信息需求") and seed 001 (信息沟通管理制度 4 第18、19、22条: 法规、制度、标准
collected by department, classified, kept with a catalogue for 查阅).

An ``Entry`` is one regulation, policy, piece of market or policy
intelligence, or template: kept by ``Category`` (data the secretariat edits in
the admin) and by the ``department`` (OrgUnit) that keeps it up to date, with
a validity period (valid from / until; an entry past its until-date is
expired, shown as such and filterable), attachments (``EntryFile``) and a
confidentiality (密级, the items' scale: public / internal / restricted to
named units). Who sees which entry is decided in ``library.selectors``
alone. An entry filed from an information item keeps a link to it
(``source_item``); a copy of a restricted item is seen exactly by those who
may see the item.

A ``Need`` is what a department states it needs (by library category,
item category and/or keywords); ``NeedMatch`` records that a new entry or a
completed/released item matched it, once per (need, entry) and (need, item):
the notice to the department's officers is written with the match.
"""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from infoflow.models import Category as ItemCategory
from infoflow.models import Confidentiality, Item
from officers.models import OrgUnit

User = settings.AUTH_USER_MODEL


class Category(models.Model):
    """What an entry is (法规、政策、市场情报、政策情报、模板…): data the secretariat edits."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("资料类别")
        verbose_name_plural = _("资料类别")

    def __str__(self):
        return self.name


class Entry(models.Model):
    """One document of the information library."""

    class State(models.TextChoices):
        ACTIVE = "active", _("在用")
        WITHDRAWN = "withdrawn", _("已撤回")

    title = models.CharField(_("标题"), max_length=200)
    summary = models.TextField(_("摘要"), blank=True)
    body = models.TextField(_("正文"), blank=True)
    category = models.ForeignKey(Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="entries")
    department = models.ForeignKey(OrgUnit, verbose_name=_("负责部门"), on_delete=models.PROTECT,
                                   related_name="library_entries")
    issuer = models.CharField(_("发布机关/来源"), max_length=200, blank=True)
    reference = models.CharField(_("文号"), max_length=100, blank=True)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("留空表示长期有效"))
    confidentiality = models.CharField(_("密级"), max_length=20, choices=Confidentiality.choices,
                                       default=Confidentiality.INTERNAL)
    units = models.ManyToManyField(OrgUnit, verbose_name=_("可查看的部门"), blank=True, related_name="+",
                                   help_text=_("限定范围的资料只有这些部门的人员可以查看。"))
    featured = models.BooleanField(_("推荐"), default=False)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.ACTIVE)
    withdraw_reason = models.CharField(_("撤回原因"), max_length=500, blank=True)
    source_item = models.ForeignKey(Item, verbose_name=_("来源信息"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="library_entries")
    created_by = models.ForeignKey(User, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    # Words of the title, summary, body, issuer and reference, Chinese runs cut
    # into overlapping pairs (library.search): what full-text search reads.
    search_text = models.TextField(editable=False, blank=True, default="")
    history = HistoricalRecords(excluded_fields=["search_text"], m2m_fields=[units])

    class Meta:
        ordering = ["-featured", "-updated_at", "-pk"]
        verbose_name = _("资料")
        verbose_name_plural = _("资料")
        indexes = [models.Index(fields=["state", "department"]), models.Index(fields=["valid_until"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="library_entry_valid_period"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_restricted(self) -> bool:
        return self.confidentiality == Confidentiality.RESTRICTED

    def is_expired(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.valid_until is not None and self.valid_until < today

    def is_pending(self, today=None) -> bool:
        """Not in force yet (its valid-from date is still to come)."""
        today = today or timezone.localdate()
        return self.valid_from is not None and self.valid_from > today


def entry_file_path(instance, filename):
    """Random names on disk; the original name is kept in the row."""
    return f"library/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class EntryFile(models.Model):
    entry = models.ForeignKey(Entry, verbose_name=_("资料"), on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("文件"), upload_to=entry_file_path)
    original_name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(User, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["entry", "uploaded_at", "pk"]
        verbose_name = _("资料附件")
        verbose_name_plural = _("资料附件")

    def __str__(self):
        return self.original_name


class Need(models.Model):
    """What information a department needs (信息需求, seed 000: 确定信息需求)."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="library_needs")
    title = models.CharField(_("需求说明"), max_length=100)
    categories = models.ManyToManyField(Category, verbose_name=_("资料类别"), blank=True, related_name="needs")
    item_categories = models.ManyToManyField(ItemCategory, verbose_name=_("信息类别"), blank=True, related_name="+")
    keywords = models.CharField(_("关键词"), max_length=200, blank=True,
                                help_text=_("多个关键词用空格或逗号分隔，符合任一关键词即提醒。"))
    active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(User, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    history = HistoricalRecords(m2m_fields=[categories, item_categories])

    class Meta:
        ordering = ["unit__sort_order", "unit__code", "-created_at", "-pk"]
        verbose_name = _("信息需求")
        verbose_name_plural = _("信息需求")

    def __str__(self):
        return "%s：%s" % (self.unit.name, self.title)

    def keyword_list(self) -> list[str]:
        text = self.keywords.replace("，", ",").replace("、", ",").replace("；", ",").replace(";", ",")
        return [k for k in dict.fromkeys(w.strip() for w in text.replace(",", " ").split()) if k]


class NeedMatch(models.Model):
    """A new entry or a completed/released item matched a need: written once,
    with the notice to the department's officers (the unique constraints
    make a second match of the same pair impossible, races included)."""

    need = models.ForeignKey(Need, verbose_name=_("信息需求"), on_delete=models.CASCADE, related_name="matches")
    entry = models.ForeignKey(Entry, verbose_name=_("资料"), null=True, blank=True, on_delete=models.CASCADE,
                              related_name="need_matches")
    item = models.ForeignKey(Item, verbose_name=_("信息"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    matched_at = models.DateTimeField(_("匹配时间"), default=timezone.now)

    class Meta:
        ordering = ["-matched_at", "-pk"]
        verbose_name = _("需求匹配")
        verbose_name_plural = _("需求匹配")
        constraints = [
            models.UniqueConstraint(fields=["need", "entry"], condition=Q(entry__isnull=False),
                                    name="library_match_once_per_entry"),
            models.UniqueConstraint(fields=["need", "item"], condition=Q(item__isnull=False),
                                    name="library_match_once_per_item"),
            models.CheckConstraint(condition=Q(entry__isnull=True, item__isnull=False)
                                   | Q(entry__isnull=False, item__isnull=True), name="library_match_one_target"),
        ]
