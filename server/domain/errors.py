"""Errors the domain raises; the API turns each into a 4xx with its message."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        # The request field the error concerns: forms show the message beside it.
        self.field = field


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """The thing exists but is in the wrong state for the operation."""

    status_code = 409
    code = "conflict"


class Duplicate(Conflict):
    """Another branch, service, counter or user already has this code, label or name."""

    code = "duplicate"


class EditedElsewhere(Conflict):
    """The row changed since the form was loaded (two people editing it at once)."""

    code = "edited_elsewhere"


class CounterHeld(Conflict):
    """The counter is held by another person (they must be taken over first)."""

    code = "counter_held"


class BranchClosed(Conflict):
    """Outside the branch's opening hours or on one of its closed dates (no ticket now)."""

    code = "branch_closed"


class ServiceCutOff(Conflict):
    """The branch is open but the service's last ticket of this stretch was issued."""

    code = "service_cut_off"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class PasswordChangeRequired(Forbidden):
    """A reset password must be replaced before anything else."""

    code = "password_change_required"


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"


class Invalid(DomainError):
    """Well-formed input that makes no sense here (unknown language, same service…)."""

    status_code = 422
    code = "invalid"


class TooManyAttempts(DomainError):
    status_code = 429
    code = "too_many_attempts"


class Unavailable(DomainError):
    """A part of this server that the request needs failed or is busy (the speech
    synthesiser); ``retry_after_s`` says when to ask again, if known."""

    status_code = 503
    code = "unavailable"

    def __init__(self, message: str, *, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
