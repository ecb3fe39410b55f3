from django.apps import AppConfig
from django.db.models.signals import post_save, pre_save
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = _("档案")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Framework glue: every audit row is sealed into the audit chain as it
        # is inserted (archive.seal), so liaison.audit needs no change.
        from liaison.models import AuditEntry

        from .seal import _audit_post_save, _audit_pre_save

        pre_save.connect(_audit_pre_save, sender=AuditEntry, dispatch_uid="archive-seal-audit")
        post_save.connect(_audit_post_save, sender=AuditEntry, dispatch_uid="archive-seal-audit-unlock")

        # Framework glue: archive-due notices join the one sweep runner.
        from liaison import sweeps as runner

        from .sweeps import ARCHIVE_DUE

        runner.register(ARCHIVE_DUE)
