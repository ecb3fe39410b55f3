from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfoflowConfig(AppConfig):
    name = "infoflow"
    verbose_name = _("信息流转")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Framework glue: the information flow's due cases join the one sweep
        # runner; liaison's admin deactivates accounts and shows item notices
        # by the information flow's rules (liaison.hooks; liaison imports no app).
        from liaison import hooks
        from liaison import sweeps as runner

        from .services.handover import deactivate_user
        from .loop_sweeps import SWEEPS as LOOP_SWEEPS
        from .sweeps import SWEEPS
        from .visibility import items_visible_to

        for sweep in (*SWEEPS, *LOOP_SWEEPS):
            runner.register(sweep)
        # The secretariat (and its lead, who shares the list) keeps the review
        # checklist and the seals as data in the admin (issue 19 §8).
        from officers.backends import ROLE_GRANTS
        from officers.models import RoleAssignment

        grants = ROLE_GRANTS[RoleAssignment.Role.SECRETARIAT]
        for grant in (("infoflow", "checklistentry", ("add", "change", "view")),
                      ("infoflow", "seal", ("add", "change", "view"))):
            if grant not in grants:
                grants.append(grant)
        hooks.provide(deactivate_user=deactivate_user, items_visible_to=items_visible_to)
        # A flush (tests, a restore's first step) must not leave month totals without items (item_months).
        from django.db.models.signals import post_migrate

        from .item_months import clear_after_flush

        post_migrate.connect(clear_after_flush, sender=self, dispatch_uid="infoflow_month_totals_after_flush")
