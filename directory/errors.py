"""What the directory and the messengers refuse (messages shown as they are)."""
from liaison.errors import LiaisonError


class PlatformError(LiaisonError):
    """A WeCom / DingTalk call failed: ``code`` is the platform's errcode (or
    HTTP status / error code string), ``message`` what the user is shown."""

    def __init__(self, message="", *, code=None, detail=""):
        super().__init__(message)
        self.code = code
        self.detail = detail


class TokenInvalid(PlatformError):
    """The access token expired or was refused (WeCom 42001/40014, DingTalk 40014/42001/88)."""


class RateLimited(PlatformError):
    """The platform asked to slow down (WeCom 45009/45033/-1, DingTalk 90018/90002/-1)."""


class SignInRefused(LiaisonError):
    """A WeCom / DingTalk sign-in that cannot name one of our users."""

    def __init__(self, message="", *, reason="", external_id=""):
        super().__init__(message)
        self.reason = reason
        self.external_id = external_id


class NotConfigured(LiaisonError):
    """The platform or the directory is not configured (admin or environment)."""


class ImportRefused(LiaisonError):
    """A contacts import that cannot be read or confirmed."""
