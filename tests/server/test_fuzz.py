"""The API fuzzed from its own OpenAPI document (schemathesis): no input makes a server error,
and every answer matches the schema the document declares for it.

A live server on a demo branch answers real HTTP. Every operation is fuzzed as each kind of
caller (nobody, the admin, a manager, a teller, a kiosk, a display), then the stateful phase
chains calls along the links schemathesis infers from the responses (issue a ticket, then
read, call, finish it...). Generation is derandomised so a CI run is repeatable; the number of
examples is a setting (``SIRA_FUZZ_EXAMPLES``) for a longer run by hand.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from server.db import Database
from server.demo import create_demo
from tests.support import live_server

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
EXAMPLES = int(os.environ.get("SIRA_FUZZ_EXAMPLES", "15"))
ROLES = ("anonymous", "admin", "manager", "teller1", "kiosk", "display")
SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)


@pytest.fixture
def db_url(tmp_path: Any, sqlite_template: Any) -> str:
    import shutil

    path = tmp_path / "sira.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def server(app: FastAPI, db: Database) -> Iterator[tuple[str, dict[str, str]]]:
    """A live server with the demo branch; the bearer token of each kind of caller."""
    from httpx import Client

    with db.unit_of_work() as session:
        creds = create_demo(session)
    assert creds is not None
    with live_server(app) as url:
        tokens = dict(creds["devices"])
        with Client(base_url=url, timeout=60) as http:
            for user, password in creds["users"].items():
                r = http.post("/api/v1/auth/login", json={"username": user, "password": password})
                assert r.status_code == 200, r.text
                tokens[user] = r.json()["access_token"]
        yield url, tokens


def _headers(tokens: dict[str, str], role: str) -> dict[str, str]:
    return {} if role == "anonymous" else {"Authorization": f"Bearer {tokens[role]}"}


def _schema(url: str) -> Any:
    return schemathesis.openapi.from_url(f"{url}/openapi.json")


# Operations that would end the run's callers or world if fuzzed (they are tested elsewhere):
# signing out revokes the token the next cases use.
SKIP = {("POST", "/api/v1/auth/logout")}


def _validate(case: Any, response: Any, headers: dict[str, str], found: list[str]) -> None:
    """Record a failed check instead of raising it: the server keeps what earlier cases did,
    so Hypothesis could not replay a failure to shrink it (it would call it flaky)."""
    try:
        case.validate_response(response, checks=CHECKS, headers=headers)
    except Exception as exc:  # schemathesis' failure text says what failed and how to repeat it
        found.append(str(exc))


def _fuzz(operation: Any, headers: dict[str, str]) -> list[str]:
    found: list[str] = []

    @SETTINGS
    @hypothesis.given(case=operation.as_strategy())
    def check(case: Any) -> None:
        if not found:  # the first failure of an operation is enough to report it
            _validate(case, case.call(headers=headers, timeout=60), headers, found)

    check()
    return found


@pytest.mark.timeout(3600)
@pytest.mark.parametrize("role", ROLES)
def test_every_operation_as(server: tuple[str, dict[str, str]], role: str) -> None:
    url, tokens = server
    schema = _schema(url)
    headers = _headers(tokens, role)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        name = f"{operation.method.upper()} {operation.path}"
        if (operation.method.upper(), operation.path) in SKIP:
            continue
        failures.extend(f"{name} as {role}: {found}" for found in _fuzz(operation, headers))
    assert failures == [], "\n\n".join(failures)


@pytest.mark.timeout(3600)
@pytest.mark.parametrize("role", ["admin", "manager", "teller1", "kiosk"])
def test_stateful_as(server: tuple[str, dict[str, str]], role: str) -> None:
    url, tokens = server
    schema = _schema(url)
    headers = _headers(tokens, role)
    base = schema.as_state_machine()
    found: list[str] = []

    class Machine(base):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers, "timeout": 60}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            if len(found) < 5:
                _validate(case, response, headers, found)

    # The bundles of the machine fill from the server's answers, which depend on what earlier
    # runs left there: Hypothesis may then see a rule offered in one run and not in a later
    # one and stop with FlakyStrategyDefinition. That ends the exploration, not the check:
    # every answer seen so far was validated and recorded in `found`.
    with contextlib.suppress(hypothesis.errors.FlakyStrategyDefinition):
        _run_machine(Machine)
    assert found == [], "\n\n".join(found)


def _run_machine(Machine: Any) -> None:
    Machine.run(
        settings=hypothesis.settings(
            max_examples=EXAMPLES,
            stateful_step_count=8,
            deadline=None,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
            # No shrinking: the server keeps what earlier steps did, so a replay cannot
            # reproduce a sequence exactly; the first failure is reported as found.
            phases=[hypothesis.Phase.generate],
        )
    )
