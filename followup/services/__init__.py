"""Circulation for reading (``circulation``) and leaders' instructions with
their tasks (``instructions``). Each function takes keyword arguments with the
acting user as ``actor``, runs in one transaction and, in order: locks, checks
the state, checks the actor (``followup.permissions``), writes with history,
re-syncs the item's grants where the path changed, and writes its notices
(``followup.notices``) in the same transaction."""
from .circulation import circulate_item, mark_read
from .instructions import cancel_task, chase_task, finish_task, give_instruction, write_proposal

__all__ = ["circulate_item", "mark_read", "write_proposal", "give_instruction", "finish_task", "cancel_task",
           "chase_task"]
