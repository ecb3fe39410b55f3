from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficersConfig(AppConfig):
    name = "officers"
    verbose_name = _("组织与联络员")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Framework glue: officer change filings join the one sweep runner, and
        # role changes are audited (liaison.signals).
        from liaison import signals
        from liaison import sweeps as runner

        from .models import RoleAssignment
        from .sweeps import FILINGS

        runner.register(FILINGS)
        signals.connect_roles(RoleAssignment)
