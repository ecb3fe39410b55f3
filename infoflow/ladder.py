"""Who hears of an overdue review step: the escalation ladder
(``EscalationRung``, edited by the secretariat in the admin). A decider kind
without a rung escalates as the domain's default ladder says (head →
supervising leader → general manager; the secretariat and other stages →
the secretariat lead)."""
from __future__ import annotations

from officers.models import OrgUnit, RoleAssignment

from .ladder_models import EscalationRung
from .people import people_with_role, with_deputies

Target = EscalationRung.Target
DEFAULT = {
    "unit_head": (Target.ITEM_UNIT_LEADER, ""),
    "receiver_heads": (Target.HEADED_UNITS_LEADER, ""),
    "supervising_leader": (Target.ROLE, RoleAssignment.Role.GENERAL_MANAGER),
    "general_manager": (Target.NOBODY, ""),
}
FALLBACK = (Target.ROLE, RoleAssignment.Role.SECRETARIAT_LEAD)


class Ladder:
    """The ladder read once per sweep, with the people it names cached."""

    def __init__(self):
        self.rungs = {r.decider: (r.target, r.role) for r in EscalationRung.objects.all()}
        self._cache: dict = {}

    def rung(self, decider: str) -> tuple[str, str]:
        return self.rungs.get(decider) or DEFAULT.get(decider) or FALLBACK

    def superiors(self, step, assignee) -> list:
        """The people told when ``assignee`` lets ``step`` run overdue (never the assignee)."""
        target, role = self.rung(step.decider)
        if target == Target.ITEM_UNIT_LEADER:
            key = ("unit", step.item.unit_id)
            if key not in self._cache:
                self._cache[key] = with_deputies([step.item.unit.supervising_leader_id])
        elif target == Target.HEADED_UNITS_LEADER:
            key = ("headed", assignee.user_id)
            if key not in self._cache:
                ids = OrgUnit.objects.filter(head_id=assignee.user_id, is_active=True).order_by("pk").values_list(
                    "supervising_leader_id", flat=True)
                self._cache[key] = with_deputies(ids)
        elif target == Target.ROLE and role:
            key = ("role", role)
            if key not in self._cache:
                self._cache[key] = people_with_role(role)
        else:
            return []
        return [u for u in self._cache[key] if u.pk != assignee.user_id]
