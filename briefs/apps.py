from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefsConfig(AppConfig):
    name = "briefs"
    verbose_name = _("信息简报")
    default_auto_field = "django.db.models.BigAutoField"
