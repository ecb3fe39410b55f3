"""The organisation: units, people and their roles, external units, liaison
officers, their duties and registrations with outside bodies.

Roles are data HR edits (``RoleAssignment``, ``OrgUnit.head``,
``OrgUnit.supervising_leader``), never code.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison.data_labels import label
from liaison.indexes import cursor_index

User = settings.AUTH_USER_MODEL


class OrgUnit(models.Model):
    """A department, workshop, section, project team or an association's member
    unit; units form a tree (集团 → 区域公司 → 项目部)."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("部门")
        WORKSHOP = "workshop", _("车间")
        SECTION = "section", _("科室")
        PROJECT = "project", _("项目部")
        COMPANY = "company", _("公司/分公司")
        MEMBER = "member", _("会员单位")

    code = models.CharField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    number_prefix = models.CharField(
        _("信息编号前缀"), max_length=10, help_text=_("例如 NX：信息编号为 NX-2026-001")
    )
    head = models.ForeignKey(
        User, verbose_name=_("部门负责人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="headed_units"
    )
    supervising_leader = models.ForeignKey(
        User,
        verbose_name=_("分管领导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_units",
    )
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("组织单位")
        verbose_name_plural = _("组织单位")

    def __str__(self):
        return self.name


class StaffProfile(models.Model):
    """Where a user works: every portal user belongs to one unit."""

    user = models.OneToOneField(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="profile")
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("所属单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    title = models.CharField(_("职务"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("员工信息")
        verbose_name_plural = _("员工信息")

    def __str__(self):
        return str(self.user)


class RoleAssignment(models.Model):
    """An organisation-wide role held by a user. Heads and supervising leaders
    are set on the unit itself; these are the roles that are not per unit."""

    class Role(models.TextChoices):
        SECRETARIAT = "secretariat", _("秘书处（初审）")
        SECRETARIAT_LEAD = "secretariat_lead", _("秘书处负责人")
        HR_ADMIN = "hr_admin", _("人力资源管理")
        GENERAL_MANAGER = "general_manager", _("总经理")
        LEGAL = "legal", _("法务审核")
        SUPERVISION = "supervision", _("监督/审计")
        ARCHIVIST = "archivist", _("档案管理员")
        ASSOCIATION_SECRETARIAT = "association_secretariat", _("协会秘书处")

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "user__username"]
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_user_role")]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"


class ExternalUnit(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("客户")
        SUPPLIER = "supplier", _("供应商")
        PARTNER = "partner", _("合作伙伴")
        REGULATOR = "regulator", _("监管部门")
        ASSOCIATION = "association", _("行业协会")
        MEDIA = "media", _("媒体")
        OTHER = "other", _("其他")

    name = models.CharField(_("单位名称"), max_length=200, unique=True)
    kind = models.CharField(_("单位类型"), max_length=20, choices=Kind.choices)
    responsible_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("对接部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="external_units",
    )
    responsible_user = models.ForeignKey(
        User, verbose_name=_("对接人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    note = models.TextField(_("备注"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("外部单位")
        verbose_name_plural = _("外部单位")

    def __str__(self):
        return self.name


class ExternalContact(models.Model):
    external_unit = models.ForeignKey(
        ExternalUnit, verbose_name=_("外部单位"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["external_unit", "name"]
        verbose_name = _("外部联系人")
        verbose_name_plural = _("外部联系人")

    def __str__(self):
        return f"{self.external_unit} · {self.name}"


class Duty(models.Model):
    """An entry of the duty catalogue (收集、整理、传递、组织会议、维护信息系统、协调、保密…)."""

    code = models.CharField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("职责"), max_length=50)
    description = models.TextField(_("说明"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("职责")
        verbose_name_plural = _("职责目录")

    def __str__(self):
        return label(self.name)


class Officer(models.Model):
    """One appointment of a liaison officer to a unit. Ending the appointment
    keeps the row, so the history of who held the post stays."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("在岗")
        SUSPENDED = "suspended", _("暂停")
        REPLACED = "replaced", _("已更换")
        LEFT = "left", _("已离任")

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.PROTECT, related_name="officer_posts")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="officers")
    is_primary = models.BooleanField(_("主联络员"), default=True)
    phone = models.CharField(_("电话"), max_length=30)
    email = models.EmailField(_("邮箱"), blank=True)
    appointed_on = models.DateField(_("任命日期"), default=timezone.localdate)
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    recommendation_file = models.FileField(_("推荐表"), upload_to="officers/recommendations/%Y/", blank=True)
    induction_done_on = models.DateField(_("岗前培训日期"), null=True, blank=True)
    confidentiality_signed_on = models.DateField(_("保密协议签订日期"), null=True, blank=True)
    confidentiality_file = models.FileField(_("保密协议"), upload_to="officers/confidentiality/%Y/", blank=True)
    note = models.TextField(_("备注"), blank=True)
    duties = models.ManyToManyField(Duty, verbose_name=_("职责"), through="OfficerDuty", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit__sort_order", "unit__code", "-is_primary", "-appointed_on"]
        verbose_name = _("信息联络员")
        verbose_name_plural = _("信息联络员")
        constraints = [
            # A unit has at most one active primary officer at a time.
            models.UniqueConstraint(
                fields=["unit"], condition=Q(is_primary=True, status="active"), name="one_active_primary_officer_per_unit"
            ),
            models.UniqueConstraint(
                fields=["unit", "user"], condition=Q(status="active"), name="one_active_post_per_user_and_unit"
            ),
        ]

    def __str__(self):
        return f"{self.unit} · {self.user.get_full_name() or self.user.username}"

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE


class OfficerDuty(models.Model):
    officer = models.ForeignKey(Officer, verbose_name=_("联络员"), on_delete=models.CASCADE, related_name="duty_links")
    duty = models.ForeignKey(Duty, verbose_name=_("职责"), on_delete=models.PROTECT)
    assigned_on = models.DateField(_("分配日期"), default=timezone.localdate)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("联络员职责")
        verbose_name_plural = _("联络员职责")
        constraints = [models.UniqueConstraint(fields=["officer", "duty"], name="unique_officer_duty")]

    def __str__(self):
        return f"{self.officer} · {self.duty}"


class Registration(models.Model):
    """A unit's liaison officer registered with an outside body (工商联络员 with
    the market regulator, an association…). A change of officer or contact
    details must be filed there within a limit (ChangeFiling)."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="registrations")
    body = models.ForeignKey(
        ExternalUnit, verbose_name=_("备案机关"), on_delete=models.PROTECT, related_name="registrations"
    )
    officer = models.ForeignKey(
        Officer, verbose_name=_("备案联络员"), null=True, blank=True, on_delete=models.SET_NULL, related_name="registrations"
    )
    registered_name = models.CharField(_("备案姓名"), max_length=50)
    registered_phone = models.CharField(_("备案电话"), max_length=30)
    registered_email = models.EmailField(_("备案邮箱"), blank=True)
    registered_on = models.DateField(_("备案日期"), default=timezone.localdate)
    reference = models.CharField(_("备案编号"), max_length=50, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit__code", "body__name"]
        verbose_name = _("外部备案")
        verbose_name_plural = _("外部备案")

    def __str__(self):
        return f"{self.unit} @ {self.body}"


class ChangeFiling(models.Model):
    """A change the outside body must be told of, due within N working days
    (seed 003: 2) of the change."""

    class Reason(models.TextChoices):
        OFFICER_CHANGED = "officer_changed", _("联络员变更")
        CONTACT_CHANGED = "contact_changed", _("联系方式变更")

    registration = models.ForeignKey(
        Registration, verbose_name=_("备案"), on_delete=models.CASCADE, related_name="filings"
    )
    reason = models.CharField(_("变更事由"), max_length=20, choices=Reason.choices)
    detail = models.CharField(_("变更内容"), max_length=200, blank=True)
    changed_at = models.DateTimeField(_("变更时间"), default=timezone.now)
    due_at = models.DateTimeField(_("应报备时间"))
    filed_at = models.DateTimeField(_("实际报备时间"), null=True, blank=True)
    filed_by = models.ForeignKey(
        User, verbose_name=_("报备人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proof = models.FileField(_("报备凭证"), upload_to="officers/filings/%Y/", blank=True)
    note = models.TextField(_("备注"), blank=True)
    # The filing sweep's cursor (officers.sweeps, liaison.sweeps).
    notice_at = models.DateTimeField(_("下次提醒时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["notice_at"])

    class Meta:
        ordering = ["filed_at", "due_at"]
        verbose_name = _("变更报备")
        verbose_name_plural = _("变更报备")
        indexes = [cursor_index("notice_at", condition=models.Q(filed_at__isnull=True),
                                name="changefiling_open_notice_at")]

    def __str__(self):
        return f"{self.registration} · {self.get_reason_display()}"

    def is_late(self, now=None):
        """Filed after the due time, or not filed and already past it."""
        if self.filed_at is not None:
            return self.filed_at > self.due_at
        return (now or timezone.now()) > self.due_at
from .meeting_models import *  # noqa: E402,F401,F403  meetings, trainings, inductions
from .work_models import *  # noqa: E402,F401,F403  work reports, replacement flags, accountability
from .assessment_models import *  # noqa: E402,F401,F403  the yearly assessment and awards
from .recommendation_models import *  # noqa: E402,F401,F403  the appointment workflow (推荐表, issue 19 §9)
