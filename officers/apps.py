from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficersConfig(AppConfig):
    name = "officers"
    verbose_name = _("组织与联络员")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Framework glue: officer change filings join the one sweep runner,
        # role changes are audited (liaison.signals), and the supervision role
        # reads the audit log (liaison.audit asks; it imports no app).
        from liaison import audit, signals
        from liaison import sweeps as runner

        from .models import RoleAssignment
        from .roles import roles_of
        from .sweeps import FILINGS, REPORTS

        def reads_audit_log(user) -> bool:
            return roles_of(user).is_supervision

        runner.register(FILINGS)
        runner.register(REPORTS)  # work reports: due-day reminder, late notice
        signals.connect_roles(RoleAssignment)
        audit.add_reader_rule(reads_audit_log)
