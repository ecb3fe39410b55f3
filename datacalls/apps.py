from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatacallsConfig(AppConfig):
    name = "datacalls"
    verbose_name = _("报送任务")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Framework glue: the data calls' due cases join the one sweep runner.
        from liaison import sweeps as runner

        from .sweeps import SWEEPS

        for sweep in SWEEPS:
            runner.register(sweep)
