from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    """Cross-cutting models: the working calendar and the audit log."""

    name = "liaison"
    verbose_name = _("系统")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals

        signals.connect()
