from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RelationsConfig(AppConfig):
    name = "relations"
    verbose_name = _("对外联络")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Framework glue: the due cases join the one sweep runner, and visits
        # join the officers' assessment as a computed criterion.
        from liaison import sweeps as runner
        from officers import assessment_scores, backends
        from officers.models import RoleAssignment

        from . import assessment
        from .sweeps import SWEEPS

        for sweep in SWEEPS:
            runner.register(sweep)
        assessment_scores.register_computed_criterion(assessment.VISITS)
        # The secretariat keeps the obligations calendar in the admin and reads
        # visits, due dates and member changes there; supervision reads them
        # (the lists still go through relations.selectors).
        role = RoleAssignment.Role
        grants = [("relations", "obligation", ("add", "change", "view")), ("relations", "*", ("view",))]
        for holder in (role.SECRETARIAT, role.SECRETARIAT_LEAD):
            current = backends.ROLE_GRANTS.setdefault(holder, [])
            current += [g for g in grants if g not in current]
        current = backends.ROLE_GRANTS.setdefault(role.SUPERVISION, [])
        if ("relations", "*", ("view",)) not in current:
            current.append(("relations", "*", ("view",)))
