from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfoflowConfig(AppConfig):
    name = "infoflow"
    verbose_name = _("信息流转")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Framework glue: notices for an item's moves (infoflow.services.events).
        from .services import item_event
        from .services.events import on_item_event

        item_event.connect(on_item_event, dispatch_uid="infoflow-item-event-notices")
