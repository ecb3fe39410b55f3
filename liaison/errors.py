"""Small exceptions carrying a message for the user (conventions: "Errors users
see"). Services raise them; views turn them into ``messages.error``.

Append-only: each area adds its own subclasses below.
"""


class LiaisonError(Exception):
    """Base class: ``message`` is shown to the user as is (already translated)."""

    def __init__(self, message=""):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)


# --- officers ---------------------------------------------------------------


class OfficerError(LiaisonError):
    """An appointment, contact change or filing that the registry refuses."""


class PrimaryOfficerExists(OfficerError):
    """The unit already has an active primary officer."""


class OfficerNotActive(OfficerError):
    """The appointment has already ended."""


class FilingAlreadyRecorded(OfficerError):
    """The change filing has already been recorded."""


class RosterImportError(LiaisonError):
    """The roster file cannot be read or fails validation."""


# --- calendar ---------------------------------------------------------------


class NoticeUnreadable(LiaisonError):
    """The pasted text is not a State Council holiday notice we can read;
    ``problems`` lists each part that could not be read."""

    def __init__(self, message="", problems=()):
        super().__init__(message)
        self.problems = list(problems)
