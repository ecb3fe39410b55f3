"""The information bulletin (信息简报 / 会刊, issue 16 §5–6; seed 002 三(四)–(五)):
numbered issues compiled from adopted items, the text of each item as edited
for one issue, the sealed record of a published issue, and the adoption level
recorded per item that the officers' assessment reads.

An issue is a DRAFT until it is published; publishing gives it the next
number of its year (第N期, infoflow's gapless NumberSequence under the row
lock, backed by the unique constraint below), the cover date, and seals its
record (BulletinRecord) with the items' numbers.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from archive.models import SealedModel

User = settings.AUTH_USER_MODEL


class AdoptionLevel(models.TextChoices):
    """Seed 003 第六章 / domain "Assessment": how far up an item was taken."""

    DEPARTMENT = "department", _("部门采用")
    ORGANISATION = "organisation", _("公司采用")
    PUBLICATION = "publication", _("对外发布/报送")


# Order of the levels (a higher one is never lowered by a lower one).
LEVEL_RANK = {AdoptionLevel.DEPARTMENT: 1, AdoptionLevel.ORGANISATION: 2, AdoptionLevel.PUBLICATION: 3}


class BulletinIssue(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("编辑中")
        PUBLISHED = "published", _("已发布")

    TRANSITIONS = {State.DRAFT: {State.PUBLISHED}, State.PUBLISHED: set()}

    title = models.CharField(_("刊名"), max_length=100, default="信息简报")
    period = models.CharField(_("所属月份"), max_length=7, help_text=_("格式 YYYY-MM"))
    foreword = models.TextField(_("编者按"), blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    number = models.PositiveIntegerField(_("期号"), null=True, blank=True)
    issue_date = models.DateField(_("出刊日期"), null=True, blank=True)
    created_by = models.ForeignKey(User, verbose_name=_("编辑人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    published_by = models.ForeignKey(User, verbose_name=_("发布人"), null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_at", "-created_at", "-pk"]
        verbose_name = _("信息简报")
        verbose_name_plural = _("信息简报")
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="briefs_unique_issue_number"),
            models.CheckConstraint(
                condition=models.Q(state="draft") | models.Q(number__isnull=False, year__isnull=False),
                name="briefs_published_issue_has_number",
            ),
        ]

    def __str__(self):
        return f"{self.title} {self.number_label}"

    @property
    def number_label(self) -> str:
        if self.number is None:
            return str(_("（发布时编号）"))
        return str(_("%(year)s年第%(number)s期") % {"year": self.year, "number": self.number})

    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT


class BulletinEntry(models.Model):
    """One adopted item in an issue: its text copied when added and edited for
    this issue only (the item itself is not changed)."""

    issue = models.ForeignKey(BulletinIssue, verbose_name=_("简报"), on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey("infoflow.Item", verbose_name=_("信息"), on_delete=models.PROTECT,
                             related_name="bulletin_entries")
    position = models.PositiveSmallIntegerField(_("顺序"))
    item_number = models.CharField(_("信息编号"), max_length=30)
    unit_name = models.CharField(_("来稿部门"), max_length=100)
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("正文"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["issue", "position", "pk"]
        verbose_name = _("简报条目")
        verbose_name_plural = _("简报条目")
        constraints = [models.UniqueConstraint(fields=["issue", "item"], name="briefs_item_once_per_issue")]

    def __str__(self):
        return f"{self.position}. {self.title}"


class Adoption(models.Model):
    """The adoption level recorded for an item (by the secretariat, or by
    publishing an issue that carries it). The assessment reads it
    (officers/assessment_scores.py)."""

    item = models.OneToOneField("infoflow.Item", verbose_name=_("信息"), on_delete=models.PROTECT,
                                related_name="adoption")
    level = models.CharField(_("采用级别"), max_length=20, choices=AdoptionLevel.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(User, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now, db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("采用记录")
        verbose_name_plural = _("采用记录")

    def __str__(self):
        return f"{self.item_id} {self.get_level_display()}"


def record_pdf_path(instance, filename):
    return f"briefs/{instance.year}/{instance.number:03d}/{filename}"


class BulletinRecord(SealedModel):
    """The sealed record of a published issue: the issue as published (cover,
    entries with their items' numbers, text) as canonical JSON, its PDF, and
    an HMAC seal over both with the archive's key, chained to the previous
    bulletin record (archive.seal). Inserted once; never changed."""

    issue = models.OneToOneField(BulletinIssue, verbose_name=_("简报"), on_delete=models.PROTECT,
                                 related_name="record")
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveIntegerField(_("期号"))
    item_numbers = models.TextField(_("所含信息编号"))
    content = models.TextField(_("归档内容"))
    content_sha256 = models.CharField(max_length=64)
    pdf = models.FileField(_("PDF"), upload_to=record_pdf_path, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    previous_seal = models.CharField(max_length=64, blank=True)
    seal = models.CharField(max_length=64, unique=True)
    archived_at = models.DateTimeField(_("归档时间"), default=timezone.now)
    archived_by = models.ForeignKey(User, verbose_name=_("归档人"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-archived_at", "-pk"]
        verbose_name = _("简报档案")
        verbose_name_plural = _("简报档案")
        constraints = [models.UniqueConstraint(fields=["year", "number"], name="briefs_unique_record_number")]

    def __str__(self):
        return f"{self.year}-{self.number}"
