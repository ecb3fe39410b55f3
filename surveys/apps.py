from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("问卷调查")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Framework glue: the recipients' reminders join the one sweep runner.
        from liaison import sweeps as runner

        from .sweeps import SWEEPS

        for sweep in SWEEPS:
            runner.register(sweep)
