from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "suggestions"
    verbose_name = _("意见箱")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Framework glue: the cases' deadlines join the one sweep runner.
        from liaison import sweeps as runner

        from .sweeps import SWEEPS

        for sweep in SWEEPS:
            runner.register(sweep)
