from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfoflowConfig(AppConfig):
    name = "infoflow"
    verbose_name = _("信息流转")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Framework glue: the information flow's due cases join the one sweep
        # runner; liaison's admin deactivates accounts and shows item notices
        # by the information flow's rules (liaison.hooks; liaison imports no app).
        from liaison import hooks
        from liaison import sweeps as runner

        from .services.handover import deactivate_user
        from .sweeps import SWEEPS
        from .visibility import items_visible_to

        for sweep in SWEEPS:
            runner.register(sweep)
        hooks.provide(deactivate_user=deactivate_user, items_visible_to=items_visible_to)
