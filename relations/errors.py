"""Errors of the relations services, each carrying the user's message."""
from django.core.exceptions import PermissionDenied

from liaison.errors import LiaisonError


class RelationsError(LiaisonError):
    """A visit, obligation or member change the rules refuse."""


class AlreadyDone(RelationsError):
    """The action or occurrence was already completed (by someone else)."""


class AlreadyDecided(RelationsError):
    """The member change was already approved or returned."""


class InvalidInput(RelationsError):
    """Bad input: a due date off the working calendar, a missing proof or reason."""


class NotAllowed(PermissionDenied):
    """The actor may see the object but not do this to it (HTTP 403)."""
