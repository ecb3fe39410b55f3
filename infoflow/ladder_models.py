"""The escalation ladder as data (domain "Escalation"): for each kind of
review stage, who hears when its decider lets it run overdue. The
secretariat edits it in the admin; the sweep reads it (infoflow.ladder)."""
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from officers.models import RoleAssignment


class EscalationRung(models.Model):
    class Target(models.TextChoices):
        ITEM_UNIT_LEADER = "item_unit_leader", _("发起部门的分管领导")
        HEADED_UNITS_LEADER = "headed_units_leader", _("审核人所负责部门的分管领导")
        ROLE = "role", _("指定角色")
        NOBODY = "nobody", _("不再升级")

    # DeciderKind values (kept as plain choices to avoid an import cycle with models.py).
    decider = models.CharField(_("超期环节的审核人类型"), max_length=30, unique=True)
    target = models.CharField(_("升级给"), max_length=30, choices=Target.choices)
    role = models.CharField(_("角色"), max_length=30, choices=RoleAssignment.Role.choices, blank=True,
                            help_text=_("“升级给”选择“指定角色”时必填。"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["decider"]
        verbose_name = _("超期升级规则")
        verbose_name_plural = _("超期升级规则")

    def __str__(self):
        return "%s → %s" % (self.decider, self.get_target_display())

    def clean(self):
        if self.target == self.Target.ROLE and not self.role:
            raise ValidationError({"role": _("请选择升级给哪个角色。")})
        if self.target != self.Target.ROLE and self.role:
            raise ValidationError({"role": _("只有“升级给”为“指定角色”时才需选择角色。")})
