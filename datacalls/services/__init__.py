"""Every write of data calls (issue 13): define and send a call, open its
occurrences, draft, submit, review, return, accept, remind and close.

Each function is atomic and follows the house order: lock, check state,
check the actor, write with history (django-simple-history; the actor named
on ``_history_user``), call its notice in plain sight. Errors carry a
Chinese message (liaison.errors): DataCallStateConflict for a wrong state,
DataCallNotAllowed for a wrong actor, AnswerInvalid (with ``errors``: field
key or cell → message) for bad input.
"""
from .answers import (
    accept_answer,
    fields_of,
    remind_units,
    return_answer,
    review_answer,
    save_draft,
    store_file,
    submit_answer,
    upload_template,
)
from .calls import (
    CALL_FIELDS,
    create_call,
    end_call,
    open_due_occurrences,
    open_occurrence,
    recipient_units,
    send_call,
    update_call,
)
from .closing import check_two_misses, close_at, close_occurrence

__all__ = [
    "CALL_FIELDS", "accept_answer", "check_two_misses", "close_at", "close_occurrence", "create_call", "end_call",
    "fields_of", "open_due_occurrences", "open_occurrence", "recipient_units", "remind_units", "return_answer",
    "review_answer", "save_draft", "send_call", "store_file", "submit_answer", "update_call", "upload_template",
]
