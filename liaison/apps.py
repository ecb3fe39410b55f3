from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    """Cross-cutting models: the working calendar and the audit log."""

    name = "liaison"
    verbose_name = _("系统")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # reads the models: importable once the app registry is ready

        signals.connect()
        from . import db_prepare

        db_prepare.connect()
        # People read names, not login names: every admin list, choice and
        # object label that shows a user shows the display name (issue 10, 6.2).
        # The login name stays in the fields that are about it (username
        # columns, the audit log's username).
        get_user_model().__str__ = display_name


def display_name(user) -> str:
    """The user's full name (姓+名 as the organisation writes it), else the login name."""
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or user.get_username()
