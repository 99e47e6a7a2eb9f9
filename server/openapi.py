"""What every route can answer besides success, declared once for the OpenAPI document.

Errors all leave as ``{detail, code}`` (server/errors.py), validation errors with a list of
field problems. Which errors a route can give follows from what it declares: a route with an
access rule can answer 401 and 403, a route with parameters or a body 404 and 422, a route
that changes something 409.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from server.deps import route_access


class ErrorBody(BaseModel):
    """Why the request failed, for a person to read."""

    detail: str = Field(examples=["there is no counter 7"])
    code: str = Field(description="a stable code for programs", examples=["not_found"])


class FieldProblem(BaseModel):
    field: str = Field(examples=["service"])
    message: str = Field(examples=["service is required"])
    type: str = Field(
        default="value_error",
        description="what is wrong, stable for programs: a validation type (missing, "
        "string_too_long, less_than_equal...) or a domain error's code",
        examples=["missing"],
    )
    ctx: dict[str, str | int | float] = Field(
        default_factory=dict,
        description="the limits the problem names (max_length, le...), for a page to say it "
        "in its user's language",
        examples=[{"max_length": 200}],
    )


class ValidationErrorBody(ErrorBody):
    """The request's input does not fit: every problem, field by field."""

    errors: list[FieldProblem] = Field(default_factory=list)


def error_answer(description: str, model: type[BaseModel] = ErrorBody) -> dict[str, Any]:
    """An error answer for a route's ``responses`` (the common ones are declared for every
    route by :func:`declare_errors`)."""
    return {"model": model, "description": description}


_error = error_answer


UNAUTHORIZED = _error("no token, or an unknown, expired or revoked one")
FORBIDDEN = _error("the caller's role may not do this")
NOT_FOUND = _error("no such thing, or it belongs to a branch the caller may not see")
CONFLICT = _error("the thing is in the wrong state for this")
INVALID = _error("the input does not fit", ValidationErrorBody)
TOO_MANY = _error("too many attempts; try again later")
TOO_LARGE = _error("the request body is too large")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def declare_errors(router: APIRouter) -> APIRouter:
    """Add the error answers each of ``router``'s routes can give to its OpenAPI description
    (before the router is included in the app)."""
    for route in router.routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        errors: dict[int | str, dict[str, Any]] = {}
        rules = route_access(route)
        if rules and rules[0].roles is not None:
            errors[401] = UNAUTHORIZED
            errors[403] = FORBIDDEN
        if route.dependant.path_params or route.body_field is not None:
            errors[404] = NOT_FOUND
        if route.dependant.path_params or route.dependant.query_params or route.body_field:
            errors[422] = INVALID
        if set(route.methods or ()) & WRITE_METHODS:
            errors[409] = CONFLICT
            errors[413] = TOO_LARGE
            errors[429] = TOO_MANY
        for status, answer in errors.items():
            route.responses.setdefault(status, answer)
    return router
