from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfoflowConfig(AppConfig):
    name = "infoflow"
    verbose_name = _("信息流转")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Framework glue: the information flow's due cases join the one sweep runner.
        from liaison import sweeps as runner

        from .sweeps import SWEEPS

        for sweep in SWEEPS:
            runner.register(sweep)
