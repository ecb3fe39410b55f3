from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The portal's front: the home page and what every page's layout shows
    (roles, menu entries, the bell). It sits above the apps and gathers what
    each has to say; no app imports it, and ``liaison`` imports no app."""

    name = "portal"
    verbose_name = _("首页")
    default_auto_field = "django.db.models.BigAutoField"
