"""The review chain: submit, take, approve (会签/或签), return, withdraw, cancel."""
import pytest

from infoflow.models import Item, ReviewStep, StepAssignee
from infoflow.services.chain import approve_step, submit_item

pytestmark = pytest.mark.django_db


def test_external_item_walks_head_then_leader(org, make_item, frozen):
    item = make_item(direction="external", receivers=[{"kind": "unit", "unit": org["prod"]}])

    item = submit_item(item=item, actor=org["officer_market"])

    assert item.number == "NX-2026-001"
    assert item.state == Item.State.IN_REVIEW
    step = item.steps.get()
    assert [a.user for a in step.assignees.all()] == [org["head_market"]]
    approve_step(step=step, actor=org["head_market"], opinion="同意")
    item.refresh_from_db()
    step2 = item.steps.get(stage_index=1)
    assert [a.user for a in step2.assignees.all()] == [org["leader"]]
    approve_step(step=step2, actor=org["leader"], opinion="同意报出")
    item.refresh_from_db()
    assert item.state == Item.State.APPROVED
