from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = _("资料库")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Framework glue: the "存入资料库" panel on the item page, and completed or
        # released items matched against the departments' information needs
        # (infoflow.extensions; infoflow and publication import nothing of the library).
        from infoflow import extensions

        from .matching import item_finished
        from .panels import item_panel, item_probes

        extensions.register(name="library", detail_panel=item_panel, item_finished=item_finished,
                            item_probes=item_probes)
