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


# --- infoflow ---------------------------------------------------------------


class InfoflowError(LiaisonError):
    """An information item (信息) action the closed loop refuses."""


class StateConflict(InfoflowError):
    """The item is not in a state that allows this action (e.g. approving a
    draft, editing a transmitted item)."""


class StepClosed(StateConflict):
    """The review step was already decided or taken by someone else."""


class InvalidInput(InfoflowError):
    """Missing or inconsistent input (reason required, no receivers, no
    resolvable reviewer…)."""


class AttachmentRejected(InvalidInput):
    """The uploaded file's content, size or image dimensions are refused."""


class NotAllowed(InfoflowError):
    """The actor may see the item but may not do this to it (403-like)."""


# --- archive ----------------------------------------------------------------


class ArchiveError(LiaisonError):
    """An archive action (归档、鉴定、销毁、暂停销毁) that the archive refuses."""


class ArchiveStateConflict(ArchiveError):
    """The item or record is not in a state that allows this (not completed,
    already destroyed, under hold, batch already decided…)."""


class ArchiveNotAllowed(ArchiveError):
    """The actor may not do this to the archive (wrong role, same person)."""


class ArchiveInvalid(ArchiveError):
    """Missing or inconsistent input (reason, supervisors, retention)."""


class BackupError(LiaisonError):
    """A backup or restore that cannot proceed (non-empty database, damaged backup)."""


class ChaseTooSoon(StateConflict):
    """A chase (催办) within a working hour of the previous one on the item."""


# --- data calls (datacalls) -------------------------------------------------


class DataCallError(LiaisonError):
    """A data call (报送任务) action the secretariat's rules refuse."""


class DataCallStateConflict(DataCallError):
    """The call, occurrence or answer is not in a state that allows this
    (submitting a closed occurrence, returning a draft…)."""


class DataCallNotAllowed(DataCallError):
    """The actor may see the call or answer but may not do this to it."""


class AnswerInvalid(DataCallError):
    """The answer's values or uploaded template do not check out;
    ``errors`` maps a field key or a cell reference to a Chinese message."""

    def __init__(self, message="", errors=None):
        super().__init__(message)
        self.errors = dict(errors or {})


# --- meetings and trainings (officers.meetings, officers.trainings) ---------


class MeetingError(OfficerError):
    """A meeting, action item or training change that is refused."""


class MeetingStateConflict(MeetingError):
    """The meeting, invitation or action item is not in a state that allows this."""


class MeetingInvalid(MeetingError):
    """The input is not acceptable (a missing place, a date in the past…)."""


class MeetingNotAllowed(MeetingError):
    """The actor may see the meeting but may not do this (403-like)."""


# --- suggestion box and GM's mailbox (suggestions) --------------------------


class SuggestionError(LiaisonError):
    """A suggestion-box case action that is refused."""


class SuggestionStateConflict(SuggestionError):
    """The case (or its reward) is not in a state that allows this; usually
    someone else acted first."""


class SuggestionNotAllowed(SuggestionError):
    """The actor may see the case but may not do this (the proposer approving
    their own reward, a unit recording a finding…)."""


class SuggestionInvalid(SuggestionError):
    """The input is not acceptable (empty text, a refused photo, a bad amount)."""


# --- information library (library) ------------------------------------------


class LibraryError(LiaisonError):
    """A library entry or information need change that is refused."""


class LibraryStateConflict(LibraryError):
    """The entry is not in a state that allows this (editing a withdrawn entry…)."""


class LibraryNotAllowed(LibraryError):
    """The actor may see the entry but may not do this (403-like)."""


class LibraryInvalid(LibraryError):
    """The input is not acceptable (dates in the wrong order, no criterion…)."""
