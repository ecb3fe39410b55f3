"""Relations with outside units (issue 19 §3–4):

* visits and return visits to external units (走访 / 客户回访, seed 001 第16条,
  信息沟通管理制度 1 《客户回访征询表》) with their follow-up actions;
* the outside obligations calendar (seed 003 工商联络员制度: 年度报告; 协会联络员
  工作制度 第六条(四): 年度会费; registrations to renew) and its occurrences;
* member units' basic information (seed 003 协会联络员工作制度 第六条(二): 机构、
  人员、资质变化、办公通讯地址及法人变更) and the changes their officers report.

Rules and who may do what: relations/services/, relations/selectors.py.
"""
from __future__ import annotations

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison.indexes import cursor_index

User = settings.AUTH_USER_MODEL

PROOF_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx", "ofd", "zip"]


class Visit(models.Model):
    """A visit to (or a return visit of) an external unit by our people."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("定期走访")  # 客户回访、例行检查
        AD_HOC = "ad_hoc", _("不定期走访")  # 投诉调解、关系协调

    class Method(models.TextChoices):
        ONSITE = "onsite", _("登门走访")
        PHONE = "phone", _("电话回访")
        LETTER = "letter", _("信函回访")
        ONLINE = "online", _("视频会议")
        RECEPTION = "reception", _("来访接待")

    external_unit = models.ForeignKey("officers.ExternalUnit", verbose_name=_("外部单位"), on_delete=models.PROTECT,
                                      related_name="visits")
    contact = models.ForeignKey("officers.ExternalContact", verbose_name=_("对方联系人"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="visits")
    unit = models.ForeignKey("officers.OrgUnit", verbose_name=_("走访部门"), on_delete=models.PROTECT,
                             related_name="visits")
    visitors = models.ManyToManyField(User, verbose_name=_("走访人员"), related_name="relation_visits")
    visited_on = models.DateField(_("走访日期"))
    kind = models.CharField(_("走访类型"), max_length=20, choices=Kind.choices, default=Kind.REGULAR)
    method = models.CharField(_("走访方式"), max_length=20, choices=Method.choices, default=Method.ONSITE)
    purpose = models.CharField(_("走访目的"), max_length=300)
    findings = models.TextField(_("了解情况与对方意见"), blank=True)
    recorded_by = models.ForeignKey(User, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    history = HistoricalRecords(m2m_fields=[visitors])

    class Meta:
        ordering = ["-visited_on", "-pk"]
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")

    def __str__(self):
        return "%s · %s" % (self.external_unit, self.visited_on)


class FollowUpAction(models.Model):
    """Something a visit decided someone of ours must do by a working day;
    reminded, flagged overdue and escalated by the sweep (``notice_at``)."""

    visit = models.ForeignKey(Visit, verbose_name=_("走访记录"), on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(_("跟进事项"), max_length=300)
    owner = models.ForeignKey(User, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="visit_actions")
    due_at = models.DateTimeField(_("完成期限"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(User, verbose_name=_("办结人"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    result = models.TextField(_("办理结果"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    notice_at = models.DateTimeField(_("下次提醒时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["notice_at"])

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("走访跟进事项")
        verbose_name_plural = _("走访跟进事项")
        indexes = [cursor_index("notice_at", condition=Q(done_at__isnull=True),
                                name="visitaction_open_notice_at")]

    def __str__(self):
        return self.text

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_late(self, now=None) -> bool:
        if self.done_at is not None:
            return self.done_at > self.due_at
        return (now or timezone.now()) > self.due_at


class Obligation(models.Model):
    """Something we owe an outside body on a date, once or every period."""

    class Kind(models.TextChoices):
        ANNUAL_REPORT = "annual_report", _("年度报告")
        DUES = "dues", _("会费缴纳")
        REGISTRATION = "registration", _("登记/备案续期")
        FILING = "filing", _("信息报送")
        OTHER = "other", _("其他")

    class Recurrence(models.TextChoices):
        ONCE = "once", _("一次性")
        MONTHLY = "monthly", _("每月")
        QUARTERLY = "quarterly", _("每季度")
        YEARLY = "yearly", _("每年")

    body = models.ForeignKey("officers.ExternalUnit", verbose_name=_("外部机构"), on_delete=models.PROTECT,
                             related_name="obligations")
    title = models.CharField(_("事项"), max_length=200)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(_("办理要求"), blank=True)
    recurrence = models.CharField(_("周期"), max_length=20, choices=Recurrence.choices, default=Recurrence.YEARLY)
    first_due_on = models.DateField(_("首次截止日期"))
    owner_unit = models.ForeignKey("officers.OrgUnit", verbose_name=_("责任部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="obligations")
    owner_user = models.ForeignKey(User, verbose_name=_("责任人"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="obligations")
    remind_days = models.PositiveSmallIntegerField(_("提前提醒（工作日）"), default=5)
    is_active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(User, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["body__name", "title"]
        verbose_name = _("对外事项")
        verbose_name_plural = _("对外事项")
        constraints = [models.CheckConstraint(condition=Q(owner_unit__isnull=False) | Q(owner_user__isnull=False),
                                              name="obligation_has_owner",
                                              violation_error_message=_("请指定责任部门或责任人。"))]

    def __str__(self):
        return "%s · %s" % (self.body, self.title)


class Occurrence(models.Model):
    """One due date of an obligation; done with a proof file and a note.
    ``notice_at``: the sweep's cursor (before, on and after the due date)."""

    obligation = models.ForeignKey(Obligation, verbose_name=_("对外事项"), on_delete=models.CASCADE,
                                   related_name="occurrences")
    due_on = models.DateField(_("截止日期"))
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    done_by = models.ForeignKey(User, verbose_name=_("办理人"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    proof = models.FileField(_("办理凭证"), upload_to="relations/proofs/%Y/", blank=True,
                             validators=[FileExtensionValidator(PROOF_EXTENSIONS)])
    note = models.TextField(_("办理说明"), blank=True)
    notice_at = models.DateTimeField(_("下次提醒时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["notice_at"])

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("对外事项到期")
        verbose_name_plural = _("对外事项到期")
        constraints = [models.UniqueConstraint(fields=["obligation", "due_on"], name="unique_obligation_due_on")]
        indexes = [cursor_index("notice_at", condition=Q(done_at__isnull=True),
                                name="occurrence_open_notice_at")]

    def __str__(self):
        return "%s · %s" % (self.obligation.title, self.due_on)

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_late(self, today=None) -> bool:
        if self.done_at is not None:
            return timezone.localtime(self.done_at).date() > self.due_on
        return (today or timezone.localdate()) > self.due_on


PROFILE_FIELDS = ("name", "legal_representative", "address", "contact_name", "contact_phone", "contact_email")


class MemberProfile(models.Model):
    """A member unit's basic information as the association keeps it; changed
    only by an approved MemberChange (history keeps every version)."""

    unit = models.OneToOneField("officers.OrgUnit", verbose_name=_("会员单位"), on_delete=models.PROTECT,
                                related_name="member_profile")
    name = models.CharField(_("单位名称"), max_length=100)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit__sort_order", "unit__code"]
        verbose_name = _("会员单位信息")
        verbose_name_plural = _("会员单位信息")

    def __str__(self):
        return self.name


class MemberChange(models.Model):
    """A change of a member unit's basic information its officer reports; the
    (association) secretariat approves it (applied to the profile) or returns
    it with a reason."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        APPROVED = "approved", _("已通过")
        RETURNED = "returned", _("已退回")

    unit = models.ForeignKey("officers.OrgUnit", verbose_name=_("会员单位"), on_delete=models.PROTECT,
                             related_name="member_changes")
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.SUBMITTED)
    name = models.CharField(_("单位名称"), max_length=100)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    explanation = models.TextField(_("变更说明"))
    previous = models.JSONField(_("变更前"), default=dict, blank=True)
    submitted_by = models.ForeignKey(User, verbose_name=_("报送人"), on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("报送时间"), default=timezone.now)
    decided_by = models.ForeignKey(User, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("会员单位信息变更")
        verbose_name_plural = _("会员单位信息变更")
        constraints = [models.UniqueConstraint(fields=["unit"], condition=Q(state="submitted"),
                                               name="one_open_member_change_per_unit")]

    def __str__(self):
        return "%s · %s" % (self.unit, self.get_state_display())

    def changed_fields(self) -> list[tuple[str, str, str]]:
        """[(label, before, after)] of the fields this change alters."""
        out = []
        for field in PROFILE_FIELDS:
            before, after = str(self.previous.get(field, "")), str(getattr(self, field))
            if before != after:
                out.append((str(self._meta.get_field(field).verbose_name), before, after))
        return out
