"""Domain errors. Each dialect renders them in its own error shape (functions/platform/errors.py)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details


class InvalidInput(DomainError):
    status = 400
    code = "invalid_input"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The request is well-formed but the object's state does not allow it (window closed, attempts used up)."""

    status = 409
    code = "conflict"


# The message of a lost race on one existing object, when nothing more specific is said.
CHANGED_MEANWHILE = "the object changed while you were changing it; retry"


class ConcurrentUpdate(Conflict):
    """Someone else changed the object between our read and our write; retrying the request is safe."""

    code = "concurrent_update"

    def __init__(self, message: str, *, failed: frozenset[int] = frozenset(), **kw: Any) -> None:
        super().__init__(message, **kw)
        # In a cancelled transaction, the positions (in the order sent) of the operations whose condition
        # failed, when the store tells: which of many writes lost the race. Never shown to the caller.
        self.failed = failed


class TooLarge(DomainError):
    status = 413
    code = "too_large"


class Unavailable(DomainError):
    """The store throttled or failed transiently; the caller should retry after a moment."""

    status = 503
    code = "unavailable"
    retry_after_seconds = 1


class ProviderFailed(DomainError):
    """An external tool (Edulastic, MasteryTrack) failed or answered nonsense; the message is the provider's."""

    status = 502
    code = "provider_failed"
