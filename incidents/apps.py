from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("安全事件")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Framework glue: the open incidents join the one sweep runner.
        from liaison import sweeps as runner

        from .sweeps import SWEEPS

        for sweep in SWEEPS:
            runner.register(sweep)
        # The secretariat edits the severity levels in the admin (officers.backends grants by role).
        from officers.backends import ADD_CHANGE_VIEW, ROLE_GRANTS, Role

        grant = ("incidents", "severity", ADD_CHANGE_VIEW)
        if grant not in ROLE_GRANTS[Role.SECRETARIAT]:
            ROLE_GRANTS[Role.SECRETARIAT].append(grant)
            if ROLE_GRANTS[Role.SECRETARIAT_LEAD] is not ROLE_GRANTS[Role.SECRETARIAT]:
                ROLE_GRANTS[Role.SECRETARIAT_LEAD].append(grant)
