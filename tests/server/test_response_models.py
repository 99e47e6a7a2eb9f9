"""Every JSON answer under /api/ is described by a response model.

A route's ``response_model`` is its published shape: the OpenAPI document shows it and
FastAPI filters and checks the answer against it. A route typed ``dict[str, Any]`` (or with
no model at all) describes nothing, so this walks the app's routes, as test_access.py does,
and names every JSON route whose answer is untyped at the top level. Answers that are not
JSON (a CSV, audio, an SVG, an empty 204) are the only exceptions.
"""

from __future__ import annotations

import typing
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from server.main import create_app

# Routes whose answer is not a JSON body, and the media type each answers with.
NOT_JSON = {
    ("GET", "/api/v1/branches/{branch}/tickets.csv"): "text/csv",
    ("GET", "/api/v1/audit.csv"): "text/csv",
    ("GET", "/api/v1/admin/audit.csv"): "text/csv",
    ("GET", "/api/v1/tickets/by-token/{token}/qr.svg"): "image/svg+xml",
    ("GET", "/api/v1/branches/{branch}/logo"): "image/png",
    ("GET", "/api/v1/announcements/chime.wav"): "audio/wav",
    ("GET", "/api/v1/announcements/{lang}/{code}/{counter}.wav"): "audio/wav",
    ("GET", "/api/v1/speech/clips/{name}"): "audio/wav",
}


def _api_routes() -> dict[tuple[str, str], APIRoute]:
    routes: dict[tuple[str, str], APIRoute] = {}
    for rc in iter_route_contexts(create_app().routes):
        route, path = rc.original_route, rc.path or ""
        if isinstance(route, APIRoute) and path.startswith("/api/"):
            for method in rc.methods or ():
                if method != "HEAD":
                    routes[(method, path)] = route
    return routes


def _untyped(annotation: Any) -> bool:
    """True when the answer is ``Any`` or a container of ``Any`` (``dict[str, Any]``…)."""
    if annotation is None or annotation is Any:
        return True
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return any(_untyped(a) for a in typing.get_args(annotation) if a is not Ellipsis)
    if origin is dict:
        args = typing.get_args(annotation)
        return not args or _untyped(args[-1])
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        return any(_untyped(a) for a in typing.get_args(annotation) if a is not type(None))
    if annotation is dict or annotation is list:
        return True
    return not (isinstance(annotation, type) and (issubclass(annotation, BaseModel)))


def _untyped_routes() -> list[str]:
    bad = []
    for (method, path), route in sorted(_api_routes().items()):
        if (method, path) in NOT_JSON or route.status_code == 204:
            continue
        if _untyped(route.response_model):
            bad.append(f"{method} {path} -> {route.response_model}")
    return bad


def test_the_walk_finds_the_routes() -> None:
    assert len(_api_routes()) > 60


def test_every_json_route_has_a_typed_response_model() -> None:
    assert _untyped_routes() == []


@pytest.mark.parametrize(
    ("annotation", "untyped"),
    [
        (None, True),
        (Any, True),
        (dict[str, Any], True),
        (list[dict[str, Any]], True),
        (dict[str, BaseModel], False),
        (list[BaseModel], False),
        (BaseModel, False),
        (BaseModel | None, False),
    ],
)
def test_the_check_tells_typed_from_untyped(annotation: Any, untyped: bool) -> None:
    assert _untyped(annotation) is untyped


def _untyped_schema(schema: dict[str, Any]) -> bool:
    """True for a JSON schema that says nothing of its answer: ``{}``, an object of anything,
    or an array of those."""
    if "$ref" in schema or "properties" in schema:
        return False
    if "anyOf" in schema:
        return any(_untyped_schema(s) for s in schema["anyOf"] if s.get("type") != "null")
    if schema.get("type") == "array":
        return _untyped_schema(schema.get("items", {}))
    if schema.get("type") == "object":
        extra = schema.get("additionalProperties", True)
        return extra is True or (isinstance(extra, dict) and _untyped_schema(extra))
    return not schema.get("type")


def test_openapi_builds_and_describes_every_answer() -> None:
    doc = create_app().openapi()
    vague = []
    for path, ops in doc["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, op in ops.items():
            if (method.upper(), path) in NOT_JSON:
                continue
            for status, answer in op["responses"].items():
                if not status.startswith("2") or status == "204":
                    continue
                schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
                if _untyped_schema(schema):
                    vague.append(f"{method.upper()} {path} {status}")
    assert vague == []


@pytest.mark.parametrize(("route", "media_type"), sorted(NOT_JSON.items()))
def test_a_route_that_answers_no_json_documents_what_it_answers(
    route: tuple[str, str], media_type: str
) -> None:
    """The document names the one media type the route sends: a CSV documented as JSON
    fails every client (and schemathesis' content-type check) that reads the document."""
    method, path = route
    answer = create_app().openapi()["paths"][path][method.lower()]["responses"]["200"]
    assert list(answer.get("content", {})) == [media_type]
