"""The demo (followup.demo): a circulated item with one reader done and one
not, an instruction with an open task and a done one, an all-staff notice
read by the employee; idempotent, on a Monday morning and after a holiday."""
import pytest
import time_machine

from followup import demo
from followup.models import CirculationReader, Instruction, ReadReceipt
from infoflow import demo as infoflow_demo
from officers import demo as officers_demo

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("today", ["2026-03-09 09:00+08:00", "2026-10-09 15:00+08:00"])
def test_demo_circulates_and_instructs_once(today):
    with time_machine.travel(today, tick=False):
        officers_demo.seed()
        infoflow_demo.seed()
        created = demo.seed()
        again = demo.seed()

    assert (created, again) == (2, 0)
    readers = {r.user.username: r.read_at is not None for r in CirculationReader.objects.select_related("user")}
    assert readers == {"employee": True, "legal": False}
    instruction = Instruction.objects.get()
    assert instruction.item.proposal.text.startswith("拟请生产部")
    assert {t.owner.username: t.state for t in instruction.tasks.select_related("owner")} == {
        "officer_prod": "open", "officer_market": "done"}
    assert ReadReceipt.objects.filter(item__to_all_staff=True, user__username="employee").exists()
