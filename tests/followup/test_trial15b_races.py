"""A double click on the instruction form, as two requests at once on
PostgreSQL: one instruction, one set of tasks (notes/trial15b.md)."""
import datetime as dt

import pytest

from followup.models import Instruction, InstructionTask
from followup.services import give_instruction
from liaison.errors import StateConflict
from tests.followup.conftest import TZ
from tests.followup.test_races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_submits_of_one_instruction_save_one(report, leader, officer_prod):
    tasks = [{"owner": officer_prod, "what": "复查", "due_at": dt.datetime(2026, 3, 13, 17, 0, tzinfo=TZ)}]

    results = run_together([lambda: give_instruction(item=report, actor=leader, text="请落实", tasks=tasks)] * 2)

    assert sum(isinstance(r, Instruction) for r in results) == 1
    assert sum(isinstance(r, StateConflict) for r in results) == 1
    assert Instruction.objects.count() == 1
    assert InstructionTask.objects.count() == 1
