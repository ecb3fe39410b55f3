"""The exceptions of work reports, replacement flags and accountability cases
(subclasses of liaison.errors.OfficerError; kept here while another change to
liaison/errors.py is in flight — they may move there unchanged)."""
from liaison.errors import OfficerError

__all__ = ["WorkNotAllowed", "WorkStateConflict", "WorkInvalid"]


class WorkStateConflict(OfficerError):
    """The report, flag or case is not in a state that allows this."""


class WorkInvalid(OfficerError):
    """The input is not acceptable (an empty reason, a bad date…)."""


class WorkNotAllowed(OfficerError):
    """The actor may see the row but may not do this (403-like)."""
