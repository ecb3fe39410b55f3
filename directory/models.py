"""The organisation's own accounts (issue 20): the directory (LDAP / Active
Directory) and the messengers (WeCom 企业微信, DingTalk 钉钉).

- ``ExternalAccount``: which directory entry or messenger user is which of
  our users. HR fills the messenger user id in the admin; a login by mobile
  number or a contacts import fills it too. One row per (source, external id)
  and per (user, source).
- ``GroupRoleMap``: a directory group → an organisation role (data HR keeps;
  officers.RoleAssignment is what the portal checks).
- ``MessengerApp``: a WeCom or DingTalk application (corp id, agent id, app
  key). Its secret is never stored: settings.DIRECTORY_WECOM_SECRET /
  DIRECTORY_DINGTALK_SECRET come from the environment.
- ``SyncReport``: what the nightly directory sync found (new, changed,
  missing, disabled people), for HR to act on; it changes nobody by itself.
- ``ContactsImport``: a department tree and people read from a source, held
  as a preview until HR confirms it.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from officers.models import RoleAssignment


class Source(models.TextChoices):
    LDAP = "ldap", _("目录（LDAP/AD）")
    WECOM = "wecom", _("企业微信")
    DINGTALK = "dingtalk", _("钉钉")


class ExternalAccount(models.Model):
    """One of our users as a directory entry (DN) or a messenger user id."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="external_accounts"
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    external_id = models.CharField(
        _("外部账号"), max_length=255, help_text=_("企业微信/钉钉的 userid，或目录中的 DN。")
    )
    linked_at = models.DateTimeField(_("关联时间"), default=timezone.now)
    linked_by = models.CharField(_("关联方式"), max_length=20, blank=True)  # "hr", "mobile", "login", "import"
    history = HistoricalRecords()

    class Meta:
        ordering = ["source", "user__username"]
        verbose_name = _("外部账号")
        verbose_name_plural = _("外部账号")
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="directory_external_id_once"),
            models.UniqueConstraint(fields=["user", "source"], name="directory_user_source_once"),
        ]

    def __str__(self):
        return f"{self.get_source_display()} {self.external_id} → {self.user}"


class GroupRoleMap(models.Model):
    """Members of this directory group hold this role (granted and taken back
    at each directory login; roles HR gives by hand are left alone)."""

    group = models.CharField(
        _("目录组"), max_length=255, help_text=_("组名（cn）或完整 DN，不区分大小写。")
    )
    role = models.CharField(_("角色"), max_length=30, choices=RoleAssignment.Role.choices)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "role"]
        verbose_name = _("目录组与角色对应")
        verbose_name_plural = _("目录组与角色对应")
        constraints = [models.UniqueConstraint(fields=["group", "role"], name="directory_group_role_once")]

    def __str__(self):
        return f"{self.group} → {self.get_role_display()}"


class MessengerApp(models.Model):
    """A WeCom self-built application or a DingTalk internal application."""

    class Platform(models.TextChoices):
        WECOM = "wecom", _("企业微信")
        DINGTALK = "dingtalk", _("钉钉")

    platform = models.CharField(_("平台"), max_length=10, choices=Platform.choices, unique=True)
    corp_id = models.CharField(_("企业ID（CorpId）"), max_length=100)
    agent_id = models.CharField(_("应用 AgentId"), max_length=50)
    app_key = models.CharField(
        _("应用 AppKey / ClientId"), max_length=100, blank=True, help_text=_("钉钉应用填写；企业微信不用。")
    )
    login_enabled = models.BooleanField(_("允许扫码/应用内登录"), default=True)
    messages_enabled = models.BooleanField(_("发送工作通知"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("企业微信/钉钉应用")
        verbose_name_plural = _("企业微信/钉钉应用")

    def __str__(self):
        return f"{self.get_platform_display()} {self.corp_id}"


class SyncReport(models.Model):
    """One run of the directory sync. ``rows``: [{"kind": "new" | "changed" |
    "missing" | "disabled", "username", "name", "user_id" (ours or None),
    "changes": {field: [ours, directory]}}]."""

    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.LDAP)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    new_count = models.PositiveIntegerField(_("新增人员"), default=0)
    changed_count = models.PositiveIntegerField(_("信息变化"), default=0)
    missing_count = models.PositiveIntegerField(_("目录中已无"), default=0)
    disabled_count = models.PositiveIntegerField(_("目录中已停用"), default=0)
    rows = models.JSONField(_("明细"), default=list, blank=True)
    error = models.TextField(_("错误"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("查阅人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("查阅时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("目录同步报告")
        verbose_name_plural = _("目录同步报告")

    def __str__(self):
        return f"{self.get_source_display()} {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"

    @property
    def difference_count(self) -> int:
        return self.new_count + self.changed_count + self.missing_count + self.disabled_count


class ContactsImport(models.Model):
    """A department tree and people read from WeCom, DingTalk or LDAP, shown
    as a preview; HR confirms it (``applied_at``) or drops it. ``data``:
    {"units": [{"id", "name", "parent"}], "people": [{"id", "name", "mobile",
    "email", "units": [ids], "active"}]}; ``plan`` is what confirming does."""

    class State(models.TextChoices):
        PREVIEW = "preview", _("待确认")
        APPLIED = "applied", _("已导入")
        CANCELLED = "cancelled", _("已放弃")

    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PREVIEW)
    created_at = models.DateTimeField(_("读取时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("读取人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(_("读取的数据"), default=dict)
    plan = models.JSONField(_("导入计划"), default=dict)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通讯录导入")
        verbose_name_plural = _("通讯录导入")

    def __str__(self):
        return f"{self.get_source_display()} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"
