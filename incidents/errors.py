"""The incident register's refusals, each carrying the user's message
(conventions: "Errors users see")."""
from liaison.errors import LiaisonError


class IncidentError(LiaisonError):
    """An incident action that is refused."""


class IncidentStateConflict(IncidentError):
    """The incident is not in a state that allows this; usually someone else acted first."""


class IncidentNotAllowed(IncidentError):
    """The actor may see the incident but may not do this."""


class IncidentInvalid(IncidentError):
    """Bad input (empty text, an item that does not exist or the actor may not see, a time in the future)."""
