"""Errors the domain raises; the API turns each into a 4xx with its message."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """The thing exists but is in the wrong state for the operation."""

    status_code = 409
    code = "conflict"


class CounterHeld(Conflict):
    """The counter is held by another person (they must be taken over first)."""

    code = "counter_held"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


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
