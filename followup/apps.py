from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = _("传阅与批示")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Framework glue: the unread reminders and task deadlines join the one
        # sweep runner; infoflow asks this app who else is on an item's path,
        # whether open tasks hold it open, and for the item page's panels.
        from infoflow import extensions
        from liaison import sweeps as runner

        from . import panels, selectors
        from .sweeps import SWEEPS

        for sweep in SWEEPS:
            runner.register(sweep)
        extensions.register(name="followup", viewers=selectors.reader_ids,
                            completion_check=selectors.completion_blocker, detail_panel=panels.item_panel,
                            item_probes=panels.item_probes)
