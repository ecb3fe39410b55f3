from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("领导报告")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Framework glue: the built-in sections, the monthly sweep, and the secretariat's admin rights
        # on the list of leaders the reports go to (officers.backends grants by role).
        from liaison import sweeps as runner
        from officers.backends import ROLE_GRANTS, Role

        from .builtin import register_builtin
        from .sweeps import SWEEPS

        register_builtin()
        for sweep in SWEEPS:
            runner.register(sweep)
        grant = ("reports", "recipient", ("add", "change", "view", "delete"))
        for role in (Role.SECRETARIAT, Role.SECRETARIAT_LEAD):
            if grant not in ROLE_GRANTS[role]:
                ROLE_GRANTS[role].append(grant)
