"""Records of the changes a reviewer makes to an item's route while deciding
(加签 / 减签 / 转办 / 退回至指定环节), and each user's common phrases (常用语).

Kept apart from models.py (imported at its foot) so the approval chain's
models stay readable; the services are infoflow.services.signers,
.transfer and .phrases.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

User = settings.AUTH_USER_MODEL


class StepChange(models.Model):
    """One change to a running review: who did it, to whom, and why. The
    route data of the item (``Item.route_snapshot``) carries the added stages;
    this row is the record the timeline reads."""

    class Kind(models.TextChoices):
        ADD_BEFORE = "add_before", _("前加签")
        ADD_AFTER = "add_after", _("后加签")
        ADD_PARALLEL = "add_parallel", _("并行加签")
        REMOVE = "remove", _("减签")
        TRANSFER = "transfer", _("转办")
        RETURN_TO = "return_to", _("退回至指定环节")

    ADDING = (Kind.ADD_BEFORE, Kind.ADD_AFTER, Kind.ADD_PARALLEL)

    item = models.ForeignKey("infoflow.Item", verbose_name=_("信息"), on_delete=models.CASCADE,
                             related_name="step_changes")
    step = models.ForeignKey("infoflow.ReviewStep", verbose_name=_("操作时的环节"), on_delete=models.CASCADE,
                             related_name="changes")
    kind = models.CharField(_("操作"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(User, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(User, verbose_name=_("加签人/接办人"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    stage_name = models.CharField(_("相关环节"), max_length=50, blank=True)
    reason = models.TextField(_("理由"))
    at = models.DateTimeField(_("时间"), default=timezone.now)
    # An added signer later removed (减签): the removal row points at the addition.
    undoes = models.OneToOneField("self", verbose_name=_("撤销的加签"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="undone_by")
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "at", "pk"]
        verbose_name = _("加签与转办记录")
        verbose_name_plural = _("加签与转办记录")
        indexes = [models.Index(fields=["item", "at"])]

    def __str__(self):
        return f"{self.item_id} · {self.get_kind_display()}"


class Phrase(models.Model):
    """A reviewer's own common phrase (常用语), picked instead of typing."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="phrases")
    text = models.CharField(_("常用语"), max_length=200)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["user", "created_at", "pk"]
        verbose_name = _("常用语")
        verbose_name_plural = _("常用语")
        constraints = [models.UniqueConstraint(fields=["user", "text"], name="unique_phrase_per_user")]

    def __str__(self):
        return self.text
