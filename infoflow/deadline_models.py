"""The deadline sweep's ledger (infoflow.services.deadlines).

One row per *case* the sweep has handled ("receiver 12's answer is overdue",
"item 7 is due for archiving"), inserted in the same transaction as the
notifications of that case. The unique key makes a second sweep, a retried
task or a concurrent sweep skip the case, and lets the sweep find the cases
still to handle with one anti-join on an index of its own (the notification
table is keyed per recipient). Review steps do not need it: their
``ReviewStep.notice_at`` cursor does the same job.
"""
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DeadlineCase(models.Model):
    key = models.CharField(_("键"), max_length=100, unique=True)
    handled_at = models.DateTimeField(_("处理时间"), default=timezone.now)

    class Meta:
        verbose_name = _("期限提醒记录")
        verbose_name_plural = _("期限提醒记录")

    def __str__(self):
        return self.key
