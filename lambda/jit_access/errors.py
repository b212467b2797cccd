"""One small exception hierarchy for the package; adapter errors keep the SDK error they wrap."""

from __future__ import annotations


class JitAccessError(Exception):
    """Base of every error jit-access raises on purpose."""


class ConfigError(JitAccessError):
    """The environment or the rendered config object is missing or invalid: fail loudly."""


class RequestRejected(JitAccessError):
    """Input from Slack that we refuse (bad signature, wrong workspace, malformed payload)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class EdgeError(JitAccessError):
    """An outside system failed. `retryable` says whether trying again may help; `cause` is the SDK error."""

    def __init__(self, message: str, *, retryable: bool = False, cause: Exception | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.cause = cause


class AlreadyRecorded(JitAccessError):
    """A create-only write lost: the slot already holds an event (another writer got there first)."""
