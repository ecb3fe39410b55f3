from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "rules"
    verbose_name = _("制度")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Framework glue: the revision and read-confirmation reminders join the
        # one sweep runner, and a new appointment gives the officer the current
        # rules to confirm (induction) through officers' extension point, so
        # officers imports nothing of rules.
        from liaison import sweeps as runner
        from officers import extensions

        from .services import ask_new_officer
        from .sweeps import SWEEPS

        for sweep in SWEEPS:
            runner.register(sweep)
        extensions.register(name="rules", on_appointed=ask_new_officer)
