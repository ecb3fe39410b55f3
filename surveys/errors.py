"""The surveys' refusals, each carrying the message the user sees (the
pattern of liaison/errors.py; kept in the app so the shared module is not
edited by several helpers at once)."""
from liaison.errors import LiaisonError


class SurveyError(LiaisonError):
    """A survey action that is refused."""


class SurveyStateConflict(SurveyError):
    """The survey is not in a state that allows this (editing a closed
    survey, questions after the first answer, closing a draft)."""


class SurveyNotAllowed(SurveyError):
    """The actor may see the survey but may not do this."""


class SurveyInvalid(SurveyError):
    """Missing or inconsistent input. ``errors`` maps a question's id to its
    message when the refusal is about answers."""

    def __init__(self, message="", errors=None):
        super().__init__(message)
        self.errors = dict(errors or {})


class AlreadyAnswered(SurveyStateConflict):
    """This recipient has answered already (one answer per recipient)."""


class SurveyNotAccepting(SurveyStateConflict):
    """The survey is closed or past its deadline."""
