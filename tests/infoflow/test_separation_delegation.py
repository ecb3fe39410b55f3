"""Delegation cycles are refused (issue 10 §2): A names B while B names A for
overlapping days, and longer cycles A→B→C→A; days that do not overlap, or a
revoked link, make no cycle."""
import datetime as dt

import pytest

from infoflow.models import Delegation
from infoflow.services.delegation import create_delegation, revoke_delegation
from liaison.errors import StateConflict
from tests.infoflow.conftest import NOW

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _name(org, principal, deputy, start=NOW, end=NOW + 3 * DAY, actor=None):
    return create_delegation(actor=actor or org[principal], principal=org[principal], deputy=org[deputy],
                             start=start, end=end, reason="出差")


def test_two_people_naming_each_other_for_overlapping_days_is_refused(org, frozen):
    _name(org, "head_market", "head_prod")

    with pytest.raises(StateConflict) as excinfo:
        _name(org, "head_prod", "head_market", start=NOW + 2 * DAY, end=NOW + 5 * DAY)

    assert str(excinfo.value) == "不能形成循环代理：赵六 → 王五 → 赵六 的代理时段重叠。请先撤销其中的代理，或调整时段。"
    assert Delegation.objects.count() == 1


def test_a_three_person_cycle_is_refused(org, frozen):
    _name(org, "head_market", "head_prod")
    _name(org, "head_prod", "leader", start=NOW + DAY, end=NOW + 4 * DAY)

    with pytest.raises(StateConflict) as excinfo:
        _name(org, "leader", "head_market", start=NOW + 2 * DAY, end=NOW + 6 * DAY, actor=org["secretary"])

    assert str(excinfo.value) == (
        "不能形成循环代理：李四 → 王五 → 赵六 → 李四 的代理时段重叠。请先撤销其中的代理，或调整时段。"
    )
    assert Delegation.objects.count() == 2


def test_a_cycle_whose_links_share_no_day_is_allowed(org, frozen):
    # A→B on days 0–2 and B→C on days 1–4 share day 1; C→A on days 3–6
    # shares day 3 only with B→C, none with A→B: nobody decides for anyone
    # who decides for them at the same time.
    _name(org, "head_market", "head_prod", end=NOW + 2 * DAY)
    _name(org, "head_prod", "leader", start=NOW + DAY, end=NOW + 4 * DAY)

    made = _name(org, "leader", "head_market", start=NOW + 3 * DAY, end=NOW + 6 * DAY)

    assert made.pk is not None
    assert Delegation.objects.count() == 3


def test_naming_back_after_the_other_delegation_was_revoked_is_allowed(org, frozen):
    first = _name(org, "head_market", "head_prod")
    revoke_delegation(delegation=first, actor=org["head_market"])

    made = _name(org, "head_prod", "head_market")

    assert made.deputy == org["head_market"]


def test_a_chain_without_a_way_back_is_allowed(org, frozen):
    _name(org, "head_market", "head_prod")

    made = _name(org, "head_prod", "leader")

    assert (made.principal, made.deputy) == (org["head_prod"], org["leader"])
