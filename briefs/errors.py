"""The bulletin's user-facing errors (the pattern of liaison/errors.py; kept
in the app so the shared, append-only file is not edited by two issues at once)."""
from liaison.errors import LiaisonError


class BriefError(LiaisonError):
    """A bulletin change the services refuse; ``message`` says why."""


class BriefStateConflict(BriefError):
    """The issue is no longer a draft (published by someone else meanwhile)."""


class BriefInvalid(BriefError):
    """Bad input: no entries, an item that cannot go in, an empty text."""
