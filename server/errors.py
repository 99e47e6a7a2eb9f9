"""Every error leaves as JSON a person can read: ``{detail, code}``; never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.domain.errors import DomainError, Unavailable

log = logging.getLogger("sira.errors")


def _where(loc: tuple[Any, ...]) -> str:
    if loc and loc[0] == "body" and all(isinstance(p, int) for p in loc[1:]):
        return "body"
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "request"


def _message(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "json_invalid":
        return "the request body is not valid JSON"
    if kind == "missing":
        return f"{_where(err['loc'])} is required"
    return f"{_where(err['loc'])}: {err.get('msg', 'is invalid')}"


def _context(err: dict[str, Any]) -> dict[str, str | int | float]:
    """The limits a validation error names (min_length, le, expected...), for a page to say
    the same in its user's language; only plain values (never the input itself)."""
    ctx = err.get("ctx") or {}
    return {
        k: v
        for k, v in ctx.items()
        if isinstance(v, (str, int, float)) and not isinstance(v, bool) and k != "error"
    }


def _item(err: dict[str, Any]) -> dict[str, Any]:
    return {
        "field": _where(tuple(err["loc"])),
        "message": _message(err),
        "type": err.get("type", "value_error"),
        "ctx": _context(err),
    }


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
        if exc.field is not None:
            body["errors"] = [
                {"field": exc.field, "message": exc.message, "type": exc.code, "ctx": {}}
            ]
        headers = {}
        if isinstance(exc, Unavailable) and exc.retry_after_s is not None:
            headers["Retry-After"] = str(exc.retry_after_s)
        return JSONResponse(body, status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [_message(e) for e in exc.errors()]
        return JSONResponse(
            {
                "detail": "; ".join(problems) or "invalid request",
                "code": "invalid",
                "errors": [_item(e) for e in exc.errors()],
            },
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404 and detail == "Not Found":
            detail = "no such page or API path"
        if exc.status_code == 405:
            detail = "this method is not allowed here"
        return JSONResponse(
            {"detail": detail, "code": "http"},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(
            {
                "detail": "something went wrong on the server; nothing was changed",
                "code": "internal",
            },
            status_code=500,
        )
