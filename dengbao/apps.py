from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DengbaoConfig(AppConfig):
    """等保 2.0 level 3 (GB/T 22239-2019): the second factor for administrators
    and the three separated administrators (三员分立), personal information,
    audit retention and the periodic access review."""

    name = "dengbao"
    verbose_name = _("等保三级")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from liaison.audit import add_reader_veto  # noqa: PLC0415  apps are only importable once ready

        from . import checks  # noqa: F401,PLC0415  registers the system checks
        from .duties import refused_audit_log

        add_reader_veto(refused_audit_log)

        from liaison import sweeps  # noqa: PLC0415

        from .sweeps import ANONYMISE, REVIEW_GENERATE, REVIEW_OVERDUE  # noqa: PLC0415  imports models

        for sweep in (ANONYMISE, REVIEW_GENERATE, REVIEW_OVERDUE):
            sweeps.register(sweep)
