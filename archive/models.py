"""Archived records (归档): numbered, classified, sealed, kept and disposed of.

The sealed chain: every ArchivedRecord, Appraisal and DestructionEntry takes
the next ``position`` of one gapless counter and carries ``seal`` = HMAC over
its sealed fields and the seal of the link before it (archive/seal.py). The
key is not in the database, so rows edited, deleted, reordered or re-hashed
with plain SQL no longer verify (``manage.py verify_archive``).

Immutability: a sealed row refuses save() and delete(), its queryset refuses
update() and delete(), and the admin is read-only. The only writes after
sealing are the lifecycle fields an archive service changes (retention after
an appraisal, destruction) through ``save_lifecycle``; those changes are
themselves sealed links, and verify_archive checks the columns against them.
"""
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from infoflow.models import ItemCopies

User = settings.AUTH_USER_MODEL


class Importance(models.TextChoices):
    NORMAL = "normal", _("一般")
    IMPORTANT = "important", _("重要")
    RESTRICTED = "restricted", _("限定范围")


class Retention(models.TextChoices):
    # Codes in the DA/T 22 style (永久 Y, 定期 D + years), used in the 档号.
    D1 = "D1", _("1年")
    D3 = "D3", _("3年")
    D5 = "D5", _("5年")
    D10 = "D10", _("10年")
    D30 = "D30", _("30年")
    PERMANENT = "Y", _("永久")


RETENTION_YEARS = {"D1": 1, "D3": 3, "D5": 5, "D10": 10, "D30": 30, "Y": None}


def retention_end(completed_at, code):
    """Last day of retention, counted from the completion date (local); None if permanent."""
    years = RETENTION_YEARS[code]
    if years is None:
        return None
    day = timezone.localtime(completed_at).date()
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def retention_rank(code):
    """Longer retention ranks higher; permanent highest."""
    years = RETENTION_YEARS[code]
    return 10_000 if years is None else years


class RetentionRule(models.Model):
    """The retention table the organisation edits: per category (blank = any
    category) and importance. The most specific row wins."""

    category = models.ForeignKey(
        "infoflow.Category", verbose_name=_("信息类别"), null=True, blank=True, on_delete=models.CASCADE,
        help_text=_("留空表示适用于所有类别"),
    )
    importance = models.CharField(_("重要程度"), max_length=20, choices=Importance.choices)
    retention = models.CharField(_("保管期限"), max_length=5, choices=Retention.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["category__sort_order", "importance"]
        verbose_name = _("保管期限规则")
        verbose_name_plural = _("保管期限表")
        constraints = [
            models.UniqueConstraint(fields=["category", "importance"], name="unique_retention_rule"),
            models.UniqueConstraint(
                fields=["importance"], condition=Q(category__isnull=True), name="unique_default_retention_rule"
            ),
        ]

    def __str__(self):
        category = self.category.name if self.category_id else _("所有类别")
        return f"{category} · {self.get_importance_display()} → {self.get_retention_display()}"


class ArchiveCounter(models.Model):
    """Counters taken under SELECT … FOR UPDATE in the archiving transaction:
    ``chain`` (positions of sealed links) and ``ND-<year>`` (archive numbers).
    A rolled-back archiving rolls its counters back, so no number is burnt."""

    key = models.CharField(max_length=20, unique=True)
    last = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.key}: {self.last}"


class SealedQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied(_("档案已封存，不能修改。"))

    def delete(self):
        raise PermissionDenied(_("档案已封存，不能删除。"))

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionDenied(_("档案已封存，不能修改。"))


class SealedModel(models.Model):
    """A row that may be inserted once and then only changes the fields in
    ``LIFECYCLE_FIELDS`` through ``save_lifecycle`` (called by archive services)."""

    LIFECYCLE_FIELDS: frozenset = frozenset()

    objects = SealedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionDenied(_("档案已封存，不能修改。"))
        super().save(*args, **kwargs)

    def save_lifecycle(self, fields):
        fields = set(fields)
        if not fields or not fields <= self.LIFECYCLE_FIELDS:
            raise PermissionDenied(_("档案已封存，不能修改。"))
        super().save(update_fields=sorted(fields))

    def delete(self, *args, **kwargs):
        raise PermissionDenied(_("档案已封存，不能删除。"))


class ArchivedRecord(SealedModel, ItemCopies):
    """An archived item, sealed. Its item's unit, state, confidentiality and
    "all staff" flag are copied onto it by database triggers
    (``ItemCopies``, infoflow.item_copies.install_on; archive migration 0006)
    so that the catalogue's visibility rule reads the record's own columns
    instead of joining every visible record to its item (issue 12). They are
    not sealed: the visibility rule is the item's as it is now."""

    class State(models.TextChoices):
        KEPT = "kept", _("在库")
        DESTROYED = "destroyed", _("已销毁")

    LIFECYCLE_FIELDS = frozenset({"retention", "retention_until", "state", "content", "search_text", "destroyed_at"})

    item = models.OneToOneField(
        "infoflow.Item", verbose_name=_("信息"), on_delete=models.PROTECT, related_name="archived_record"
    )
    number = models.CharField(_("归档编号"), max_length=30, unique=True)
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    sequence = models.PositiveIntegerField(_("件号"))
    position = models.PositiveBigIntegerField(_("链序号"), unique=True)
    fonds_code = models.CharField(_("档号"), max_length=80, blank=True)

    direction = models.CharField(_("方向"), max_length=20)
    unit = models.ForeignKey(
        "officers.OrgUnit", verbose_name=_("发起部门"), on_delete=models.PROTECT, related_name="archived_records"
    )
    unit_type = models.CharField(_("单位类型"), max_length=20, blank=True, help_text=_("外部单位类型（对外、收文）"))
    category = models.ForeignKey(
        "infoflow.Category", verbose_name=_("类别"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Classification path (domain "Archive"): internal department → project → date;
    # external and incoming unit type → matter → date. Labels as they were.
    class_top = models.CharField(_("一级分类"), max_length=100)
    class_mid = models.CharField(_("二级分类"), max_length=100)
    class_date = models.CharField(_("三级分类（年月）"), max_length=7)

    subject = models.CharField(_("题名"), max_length=200)
    importance = models.CharField(_("重要程度"), max_length=20, choices=Importance.choices)
    confidentiality = models.CharField(_("密级"), max_length=20)
    completed_at = models.DateTimeField(_("办结时间"))
    archived_at = models.DateTimeField(_("归档时间"), default=timezone.now)
    archived_by = models.ForeignKey(
        User, verbose_name=_("归档人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paper_location = models.CharField(_("纸质原件存放位置"), max_length=200, blank=True)
    initial_retention = models.CharField(_("初定保管期限"), max_length=5, choices=Retention.choices)
    file_count = models.PositiveSmallIntegerField(_("附件数"), default=0)

    # The frozen snapshot: canonical JSON text, hashed as stored (seal.py).
    content = models.TextField(_("归档内容"), blank=True)
    content_sha256 = models.CharField(max_length=64)
    seal = models.CharField(max_length=64)

    # Lifecycle (changed only by archive services, each change a sealed link).
    retention = models.CharField(_("保管期限"), max_length=5, choices=Retention.choices)
    retention_until = models.DateField(_("保管到期日"), null=True, blank=True, db_index=True)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.KEPT, db_index=True)
    destroyed_at = models.DateTimeField(_("销毁时间"), null=True, blank=True)
    # Subject, summary and opinions with CJK characters spaced out, so that
    # PostgreSQL's "simple" full-text search finds words inside Chinese text.
    search_text = models.TextField(blank=True)

    # Who may open a restricted record besides the people on its path.
    named_archivists = models.ManyToManyField(
        User, verbose_name=_("指定档案管理员"), blank=True, related_name="archivist_records"
    )

    class Meta:
        ordering = ["-year", "-sequence"]
        verbose_name = _("档案")
        verbose_name_plural = _("档案")
        constraints = [models.UniqueConstraint(fields=["year", "sequence"], name="unique_archive_sequence")]
        indexes = [
            # The catalogue's tree counts read this index alone on PostgreSQL
            # (an index-only scan: the visibility rule's columns included; issue 12).
            models.Index(fields=["class_top", "class_mid", "class_date"], name="archive_record_tree",
                         include=["importance", "confidentiality", "item_state", "item_confidentiality",
                                  "item_unit", "item_to_all_staff", "item", "id"]),
            # verify_archive checks retention by groups read from this index alone.
            models.Index(fields=["completed_at", "retention", "initial_retention", "retention_until"],
                         name="archive_record_lifecycle"),
        ]

    def __str__(self):
        return f"{self.number} {self.subject}"

    @property
    def is_restricted(self):
        return self.importance == Importance.RESTRICTED or self.confidentiality == "restricted"

    @property
    def is_permanent(self):
        return self.retention == Retention.PERMANENT

    @property
    def is_destroyed(self):
        return self.state == self.State.DESTROYED


def archived_file_path(instance, filename):
    return f"archive/{instance.record.year}/{instance.record.number}/{uuid.uuid4().hex}"


class ArchivedFile(SealedModel):
    """The archive's own copy of an attachment, taken at sealing; its SHA-256
    is in the sealed snapshot, so the record does not depend on the item's
    attachment rows or files staying untouched."""

    record = models.ForeignKey(ArchivedRecord, on_delete=models.PROTECT, related_name="files")
    index = models.PositiveSmallIntegerField(_("序号"))
    purpose = models.CharField(_("用途"), max_length=20)
    original_name = models.CharField(_("文件名"), max_length=255)
    recorded_type = models.CharField(_("登记类型"), max_length=100)
    detected_type = models.CharField(_("检测类型"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(_("文件"), upload_to=archived_file_path, max_length=200)

    class Meta:
        ordering = ["record", "index"]
        verbose_name = _("档案附件")
        verbose_name_plural = _("档案附件")
        constraints = [models.UniqueConstraint(fields=["record", "index"], name="unique_archived_file_index")]

    def __str__(self):
        return self.original_name


class Appraisal(SealedModel):
    """An appraisal (鉴定) that extended a record's retention: old and new kept."""

    record = models.ForeignKey(ArchivedRecord, verbose_name=_("档案"), on_delete=models.PROTECT, related_name="appraisals")
    position = models.PositiveBigIntegerField(unique=True)
    old_retention = models.CharField(_("原保管期限"), max_length=5, choices=Retention.choices)
    new_retention = models.CharField(_("新保管期限"), max_length=5, choices=Retention.choices)
    reason = models.TextField(_("鉴定意见"))
    by = models.ForeignKey(User, verbose_name=_("鉴定人"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("鉴定时间"), default=timezone.now)
    seal = models.CharField(max_length=64)

    class Meta:
        ordering = ["record", "position"]
        verbose_name = _("档案鉴定")
        verbose_name_plural = _("档案鉴定")

    def __str__(self):
        return f"{self.record.number} {self.old_retention} → {self.new_retention}"


class PaperLocation(SealedModel):
    """Where the paper original is (seed 004 (五): 纸质材料整理装订后交行政部门统一保管),
    recorded or corrected after archiving as a sealed addition (kind P of the
    chain): the record itself never changes; the newest addition is the
    location in force, the record's ``paper_location`` what was given at sealing."""

    record = models.ForeignKey(ArchivedRecord, verbose_name=_("档案"), on_delete=models.PROTECT,
                               related_name="paper_locations")
    position = models.PositiveBigIntegerField(unique=True)
    location = models.CharField(_("纸质原件存放位置"), max_length=200)
    reason = models.TextField(_("登记说明"), blank=True)
    by = models.ForeignKey(User, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("登记时间"), default=timezone.now)
    seal = models.CharField(max_length=64)

    class Meta:
        ordering = ["record", "position"]
        verbose_name = _("纸质原件位置登记")
        verbose_name_plural = _("纸质原件位置登记")

    def __str__(self):
        return f"{self.record.number} · {self.location}"


class Hold(models.Model):
    """A hold (暂停销毁) with a reason: blocks disposal until lifted."""

    record = models.ForeignKey(ArchivedRecord, verbose_name=_("档案"), on_delete=models.PROTECT, related_name="holds")
    reason = models.TextField(_("原因"))
    set_by = models.ForeignKey(User, verbose_name=_("设置人"), on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("设置时间"), default=timezone.now)
    lifted_by = models.ForeignKey(User, verbose_name=_("解除人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    lift_reason = models.TextField(_("解除原因"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-set_at"]
        verbose_name = _("暂停销毁")
        verbose_name_plural = _("暂停销毁")

    def __str__(self):
        return f"{self.record.number} · {self.reason[:30]}"

    @property
    def is_active(self):
        return self.lifted_at is None


class DisposalBatch(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", _("待审批")
        APPROVED = "approved", _("已批准并销毁")
        REFUSED = "refused", _("未批准")

    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.PROPOSED, db_index=True)
    records = models.ManyToManyField(ArchivedRecord, verbose_name=_("档案"), related_name="disposal_batches")
    reason = models.TextField(_("鉴定意见"))
    proposed_by = models.ForeignKey(User, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    supervisor_1 = models.ForeignKey(User, verbose_name=_("监销人"), on_delete=models.PROTECT, related_name="+")
    supervisor_2 = models.ForeignKey(User, verbose_name=_("监销人"), on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(User, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("销毁申请")
        verbose_name_plural = _("销毁申请")

    def __str__(self):
        return f"#{self.pk} {self.get_state_display()}"


class DestructionEntry(SealedModel):
    """A line of the destruction list (销毁清册). It stays in the chain for
    ever: what was destroyed, when, and on whose approval."""

    record = models.OneToOneField(
        ArchivedRecord, verbose_name=_("档案"), on_delete=models.PROTECT, related_name="destruction"
    )
    batch = models.ForeignKey(DisposalBatch, verbose_name=_("销毁申请"), on_delete=models.PROTECT, related_name="entries")
    position = models.PositiveBigIntegerField(unique=True)
    number = models.CharField(_("归档编号"), max_length=30)
    subject = models.CharField(_("题名"), max_length=200)
    classification = models.CharField(_("分类"), max_length=220)
    completed_at = models.DateTimeField(_("办结时间"))
    archived_at = models.DateTimeField(_("归档时间"))
    retention = models.CharField(_("保管期限"), max_length=5, choices=Retention.choices)
    retention_until = models.DateField(_("保管到期日"))
    proposer = models.CharField(_("提出人"), max_length=200)
    approver = models.CharField(_("审批人"), max_length=200)
    supervisors = models.CharField(_("监销人"), max_length=400)
    destroyed_at = models.DateTimeField(_("销毁时间"), default=timezone.now)
    seal = models.CharField(max_length=64)

    class Meta:
        ordering = ["position"]
        verbose_name = _("销毁清册")
        verbose_name_plural = _("销毁清册")

    def __str__(self):
        return f"{self.number} {self.subject}"


class GapExplanation(models.Model):
    """Why an archive number is missing (four-property integrity check)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    sequence = models.PositiveIntegerField(_("件号"))
    explanation = models.TextField(_("说明"))
    by = models.ForeignKey(User, verbose_name=_("说明人"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "sequence"]
        verbose_name = _("断号说明")
        verbose_name_plural = _("断号说明")
        constraints = [models.UniqueConstraint(fields=["year", "sequence"], name="unique_gap_explanation")]

    def __str__(self):
        return f"ND-{self.year}-{self.sequence}"


class VerificationRun(models.Model):
    """One run of verify_archive (daily task or command), for the report page."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    records = models.PositiveIntegerField(default=0)
    audit_rows = models.PositiveIntegerField(default=0)
    failures = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("完整性校验")
        verbose_name_plural = _("完整性校验")

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {'OK' if self.ok else 'FAIL'}"
