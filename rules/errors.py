"""The rules app's refusals, each carrying a message for the user (the
pattern of liaison.errors; kept here so the app stays in its own files)."""
from liaison.errors import LiaisonError


class RulesError(LiaisonError):
    """A rules action the app refuses."""


class RulesNotAllowed(RulesError):
    """The actor may see the document but may not do this (403-like)."""


class RulesStateConflict(RulesError):
    """The version or confirmation is not in a state that allows this."""


class RulesInvalid(RulesError):
    """The input is not acceptable."""
