from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    name = "publication"
    verbose_name = _("信息发布")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Framework glue: the publication panel joins the item page (infoflow.extensions).
        from infoflow import extensions

        from .panels import item_panel, item_probes

        from .selectors import release_channel_choices

        extensions.register(name="publication", detail_panel=item_panel, release_channels=release_channel_choices,
                            item_probes=item_probes)
