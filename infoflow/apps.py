from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfoflowConfig(AppConfig):
    name = "infoflow"
    verbose_name = _("信息流转")
    default_auto_field = "django.db.models.BigAutoField"
