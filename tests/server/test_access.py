"""Who may call what, in three parts (none needs the whole role-by-endpoint product).

1. The contract in the routes' signatures: every route declares one access rule
   (``server.deps.needs``), read here without running anything and compared with the table
   below (``ENDPOINTS``), which is the reviewed statement of who may call what.
2. The rule a declaration stands for: for each rule set, one route answers every kind of
   caller (nobody, the admin, each staff role and device kind) as the set says.
3. Branch scoping, which each route does itself: every endpoint succeeds for its least
   privileged caller and is answered 404, as for something that does not exist, to the same
   caller of another branch.

Runs on SQLite only: the rules are Python; the backends are tested by the rest of the suite.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute, iter_route_contexts
from fastapi.testclient import TestClient

from server.auth.principal import Role
from server.config import Settings
from server.deps import route_access
from server.main import create_app
from server.models import User
from tests.support import (
    PASSWORD,
    BranchKit,
    admin_token,
    logo_image,
    make_branch,
    staff_token,
)

OWN = "one"
OTHER = "two"

ALL = frozenset({"admin", "manager", "teller", "kiosk", "display", "speaker", "agent"})
READ_QUEUE = ALL
ISSUE = frozenset({"admin", "manager", "teller", "kiosk"})
OPERATE = frozenset({"admin", "manager", "teller"})
CONFIGURE = frozenset({"admin", "manager"})
HEAR = frozenset({"admin", "manager", "kiosk"})
ADMIN = frozenset({"admin"})
PUBLIC = None

# Callers: (branch, role). "teller" is teller1 of that branch.
CALLERS = [
    ("-", "anonymous"),
    ("-", "admin"),
    *[(OWN, r) for r in ("manager", "teller", "kiosk", "display", "speaker", "agent")],
    *[(OTHER, r) for r in ("manager", "teller", "kiosk", "display", "speaker", "agent")],
]
# Least privileged first: the caller an endpoint's sample runs as.
PRIVILEGE = ("display", "speaker", "agent", "kiosk", "teller", "manager", "admin")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # /metrics is off unless configured; the table below states its public setting.
    return settings.model_copy(update={"metrics_access": "public"})


@pytest.fixture
def db_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "sira.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@dataclass
class World:
    client: TestClient
    one: BranchKit
    two: BranchKit
    admin: str
    values: dict[str, Any] = field(default_factory=dict)

    def admin_call(self, method: str, path: str, json: Any = None, expect: int = 200) -> Any:
        r = self.client.request(
            method, path, json=json, headers={"Authorization": f"Bearer {self.admin}"}
        )
        assert r.status_code == expect, f"setup {method} {path}: {r.status_code} {r.text}"
        return r.json() if r.content else None

    def headers(self, branch: str, role: str) -> dict[str, str]:
        if role == "anonymous":
            return {}
        if role == "admin":
            return {"Authorization": f"Bearer {self.admin}"}
        kit = self.one if branch == OWN else self.two
        return kit.auth("teller1" if role == "teller" else role)


# --- state the endpoints need ---------------------------------------------------------------


def issue(w: World, service: str = "A") -> dict[str, Any]:
    return w.admin_call("POST", f"/api/v1/branches/{OWN}/tickets", {"service": service}, expect=201)


def counter1(w: World) -> int:
    return w.one.counters["1"]


def open_counter(w: World) -> dict[str, Any]:
    """Counter 1 opened by the branch's teller1: held by them, who alone works it (the
    samples call as teller1; a manager or admin would take it over first)."""
    r = w.client.post(f"/api/v1/counters/{counter1(w)}/open", headers=w.headers(OWN, "teller"))
    assert r.status_code == 200, r.text
    return {"counter_id": counter1(w)}


def closed_counter(w: World) -> dict[str, Any]:
    return {"counter_id": counter1(w)}


def paused_counter(w: World) -> dict[str, Any]:
    open_counter(w)
    r = w.client.post(f"/api/v1/counters/{counter1(w)}/pause", headers=w.headers(OWN, "teller"))
    assert r.status_code == 200, r.text
    return {"counter_id": counter1(w)}


def waiting_ticket(w: World) -> dict[str, Any]:
    t = issue(w)
    return {"ticket_id": t["id"], "token": t["token"]}


def open_counter_with_waiting(w: World) -> dict[str, Any]:
    issue(w)
    return open_counter(w)


def called_ticket(w: World) -> dict[str, Any]:
    t = issue(w)
    open_counter(w)
    r = w.client.post(f"/api/v1/counters/{counter1(w)}/call-next", headers=w.headers(OWN, "teller"))
    assert r.status_code == 200, r.text
    assert r.json()["ticket"]["id"] == t["id"]
    return {"ticket_id": t["id"], "token": t["token"], "counter_id": counter1(w)}


def called_code(w: World) -> str:
    """A call really made at counter 1 (only such calls are spoken)."""
    values = called_ticket(w)
    return str(w.admin_call("GET", f"/api/v1/tickets/{values['ticket_id']}")["ticket"]["code"])


def done_ticket(w: World) -> dict[str, Any]:
    values = called_ticket(w)
    r = w.client.post(
        f"/api/v1/tickets/{values['ticket_id']}/finish", headers=w.headers(OWN, "teller")
    )
    assert r.status_code == 200, r.text
    return values


def kiosk_device(w: World) -> dict[str, Any]:
    devices = w.admin_call("GET", "/api/v1/admin/devices")
    kiosk = next(d for d in devices if d["branch"] == OWN and d["kind"] == "kiosk")
    return {"device_id": kiosk["id"]}


def speech_clip(w: World) -> dict[str, Any]:
    """A clip of kiosk guidance, made by asking for it."""
    said = w.admin_call(
        "POST", f"/api/v1/branches/{OWN}/speech", {"lang": "en", "phrases": [{"say": "keys"}]}
    )
    return {"name": said["clips"][0]["url"].rsplit("/", 1)[1]}


def printed_ticket(w: World) -> dict[str, Any]:
    device = kiosk_device(w)
    printer = {"printer": {"transport": "dummy"}}
    w.admin_call("PATCH", f"/api/v1/admin/devices/{device['device_id']}", {"config": printer})
    r = w.client.post(
        f"/api/v1/branches/{OWN}/tickets", json={"service": "A"}, headers=w.one.auth("kiosk")
    )
    assert r.status_code == 201, r.text
    assert r.json()["print_status"] == "printed"
    return {"ticket_id": r.json()["id"], **device}


def spare_branch(w: World) -> dict[str, Any]:
    w.admin_call("POST", "/api/v1/admin/branches", {"code": "three", "name": "Three"}, expect=201)
    return {"branch": "three"}


def spare_service(w: World) -> dict[str, Any]:
    w.admin_call(
        "POST",
        f"/api/v1/admin/branches/{OWN}/services",
        {"code": "D", "names": {"en": "Spare"}},
        expect=201,
    )
    return {"code": "D"}


def spare_counter(w: World) -> dict[str, Any]:
    return {"counter_id": w.one.counters["4"]}


def a_teller(w: World) -> dict[str, Any]:
    return {"user_id": w.one.user_ids["teller2"]}


def the_manager(w: World) -> dict[str, Any]:
    return {"user_id": w.one.user_ids["manager"]}


def spare_device(w: World) -> dict[str, Any]:
    d = w.admin_call(
        "POST",
        "/api/v1/admin/devices",
        {"branch": OWN, "kind": "display", "name": "hall"},
        expect=201,
    )
    return {"device_id": d["id"]}


def printer_device(w: World) -> dict[str, Any]:
    d = w.admin_call(
        "POST",
        "/api/v1/admin/devices",
        {
            "branch": OWN,
            "kind": "kiosk",
            "name": "door",
            "config": {"printer": {"transport": "dummy"}},
        },
        expect=201,
    )
    return {"device_id": d["id"]}


def nothing(_: World) -> dict[str, Any]:
    return {}


def pairing_started(w: World) -> dict[str, Any]:
    r = w.client.post("/api/v1/pairing", json={"kind": "display"})
    assert r.status_code == 201, r.text
    started = r.json()
    return {
        "code": started["code"],
        "secret": started["secret"],
        "pairing_id": started["pairing_id"],
    }


def counter_and_waiting(w: World) -> dict[str, Any]:
    t = issue(w)
    return {**open_counter(w), "ticket_id": t["id"]}


def with_logo(w: World) -> dict[str, Any]:
    r = w.client.put(
        f"/api/v1/admin/branches/{OWN}/logo",
        content=logo_image(),
        headers={**w.headers("-", "admin"), "Content-Type": "image/png"},
    )
    assert r.status_code == 200, r.text
    return {}


def no_show_ticket(w: World) -> dict[str, Any]:
    values = called_ticket(w)
    r = w.client.post(
        f"/api/v1/tickets/{values['ticket_id']}/no-show", headers=w.headers(OWN, "teller")
    )
    assert r.status_code == 200, r.text
    return values


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # exactly as the app declares it; formatted with the prepared values
    allowed: frozenset[str] | None  # None: public, no token needed
    ok: int
    body: Any = None
    prepare: Callable[[World], dict[str, Any]] = nothing
    scoped: bool = True  # branch one's resource: staff/devices of branch two get a 404
    label: str = ""
    # The rule the route declares, when this case's callers are narrower (a manager may
    # create tellers but not managers: the route admits managers, the service refuses).
    rule: frozenset[str] | None = None

    @property
    def declared(self) -> frozenset[str] | None:
        return self.rule if self.rule is not None else self.allowed

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}{' ' + self.label if self.label else ''}"


T = "/api/v1/tickets/{ticket_id}"
C = "/api/v1/counters/{counter_id}"
A = "/api/v1/admin"
B = "/api/v1/admin/branches/{branch}"

ENDPOINTS = [
    # health and docs
    Endpoint("GET", "/healthz", PUBLIC, 200),
    Endpoint("GET", "/readyz", PUBLIC, 200),
    Endpoint("GET", "/metrics", PUBLIC, 200),
    Endpoint("GET", "/docs", PUBLIC, 200),
    Endpoint("GET", "/favicon.ico", PUBLIC, 200),
    Endpoint("GET", "/", PUBLIC, 307),
    Endpoint("GET", "/t/{token}", PUBLIC, 200, prepare=waiting_ticket),
    # auth
    Endpoint(
        "POST",
        "/api/v1/auth/login",
        PUBLIC,
        200,
        {"username": f"{OWN}-manager", "password": PASSWORD},
    ),
    Endpoint("POST", "/api/v1/auth/logout", ALL, 204, scoped=False),
    Endpoint("GET", "/api/v1/auth/me", ALL, 200, scoped=False),
    Endpoint(
        "PUT",
        "/api/v1/auth/me/language",
        OPERATE,
        204,
        {"language": "el"},
        scoped=False,
        rule=ALL,
    ),
    # A wrong current password: the callers the route admits reach the check (devices have
    # no password: 403).
    Endpoint(
        "POST",
        "/api/v1/auth/password",
        OPERATE,
        422,
        {"current_password": "not-it", "new_password": "a-new-password-1"},
        scoped=False,
        rule=ALL,
    ),
    Endpoint("GET", "/api/v1/audit", CONFIGURE, 200, scoped=False),
    # device pairing: the device asks (public), staff claim the code
    Endpoint("POST", "/api/v1/pairing", PUBLIC, 201, {"kind": "kiosk"}),
    Endpoint(
        "POST",
        "/api/v1/pairing/status",
        PUBLIC,
        200,
        lambda values: {"secret": values["secret"]},
        prepare=pairing_started,
    ),
    Endpoint(
        "POST",
        "/api/v1/admin/pairing",
        CONFIGURE,
        201,
        lambda values: {"code": values["code"], "branch": OWN, "kind": "display", "name": "TV"},
        prepare=pairing_started,
    ),
    Endpoint("GET", "/api/v1/audit.csv", CONFIGURE, 200, scoped=False),
    # the same under the contract's paths (API.md v1.1)
    Endpoint("GET", "/api/v1/pairing/{pairing_id}", PUBLIC, 200, prepare=pairing_started),
    Endpoint(
        "POST",
        "/api/v1/admin/pairing/claim",
        CONFIGURE,
        201,
        lambda values: {"code": values["code"], "branch": OWN, "kind": "display", "name": "TV"},
        prepare=pairing_started,
    ),
    Endpoint("GET", "/api/v1/admin/audit", CONFIGURE, 200, scoped=False),
    Endpoint("GET", "/api/v1/admin/audit.csv", CONFIGURE, 200, scoped=False),
    Endpoint("PATCH", "/api/v1/auth/me", OPERATE, 200, {"lang": "pl"}, scoped=False, rule=ALL),
    # kiosk and tickets
    Endpoint("GET", "/api/v1/branches/{branch}/services", READ_QUEUE, 200),
    Endpoint("POST", "/api/v1/branches/{branch}/tickets", ISSUE, 201, {"service": "A"}),
    Endpoint("GET", T, OPERATE, 200, prepare=waiting_ticket),
    Endpoint("POST", T + "/serve", OPERATE, 200, prepare=called_ticket),
    Endpoint("POST", T + "/finish", OPERATE, 200, prepare=called_ticket),
    Endpoint("POST", T + "/no-show", OPERATE, 200, prepare=called_ticket),
    Endpoint("POST", T + "/undo-no-show", OPERATE, 200, prepare=no_show_ticket),
    Endpoint("POST", T + "/transfer", OPERATE, 200, {"service": "B"}, prepare=waiting_ticket),
    Endpoint("POST", T + "/cancel", OPERATE, 200, prepare=waiting_ticket),
    Endpoint(
        "POST", T + "/recovery", OPERATE, 201, {"action": "apologized"}, prepare=called_ticket
    ),
    # counters
    Endpoint("GET", C, READ_QUEUE, 200, prepare=closed_counter),
    Endpoint("POST", C + "/call-next", OPERATE, 204, prepare=open_counter, label="(empty queue)"),
    Endpoint(
        "POST",
        C + "/call-next",
        OPERATE,
        200,
        prepare=open_counter_with_waiting,
        label="(one waiting)",
    ),
    Endpoint(
        "POST",
        C + "/call",
        OPERATE,
        200,
        lambda values: {"ticket": values["ticket_id"]},
        prepare=counter_and_waiting,
    ),
    Endpoint("GET", C + "/queue", OPERATE, 200, prepare=closed_counter),
    Endpoint("POST", C + "/recall", OPERATE, 200, prepare=called_ticket),
    Endpoint("POST", C + "/open", OPERATE, 200, prepare=closed_counter),
    Endpoint("POST", C + "/pause", OPERATE, 200, prepare=open_counter),
    Endpoint("POST", C + "/resume", OPERATE, 200, prepare=paused_counter),
    Endpoint("POST", C + "/close", OPERATE, 200, prepare=open_counter),
    Endpoint("POST", C + "/leave", OPERATE, 200, prepare=open_counter),
    # customer (the ticket token is the secret)
    Endpoint("GET", "/api/v1/tickets/by-token/{token}", PUBLIC, 200, prepare=waiting_ticket),
    Endpoint("GET", "/api/v1/tickets/by-token/{token}/qr.svg", PUBLIC, 200, prepare=waiting_ticket),
    Endpoint(
        "POST",
        "/api/v1/tickets/by-token/{token}/feedback",
        PUBLIC,
        201,
        {"score": 5},
        prepare=done_ticket,
    ),
    # screens and metrics
    Endpoint("GET", "/api/v1/branches/{branch}/snapshot", READ_QUEUE, 200),
    Endpoint("GET", "/api/v1/branches/{branch}/metrics/live", CONFIGURE, 200),
    Endpoint("GET", "/api/v1/branches/{branch}/alerts", CONFIGURE, 200),
    # reports, service-cycle map, standard risk, staffing (docs/reports-api.md)
    *[
        Endpoint("GET", "/api/v1/branches/{branch}" + p, CONFIGURE, 200)
        for p in (
            "/service-cycle",
            "/reports",
            "/reports/heatmap",
            "/reports/breaks",
            "/reports/satisfaction",
            "/reports/estimates",
            "/reports/estimates/points",
            "/reports/recovery",
            "/reports/teller-time",
            "/tickets.csv",
            "/standards/risk",
            "/staffing",
        )
    ],
    Endpoint(
        "PUT",
        "/api/v1/branches/{branch}/service-cycle",
        CONFIGURE,
        200,
        {"moments": [{"key": "walk", "critical": True}]},
    ),
    # printing and announcements
    Endpoint("POST", "/api/v1/tickets/{ticket_id}/reprint", OPERATE, 200, prepare=printed_ticket),
    Endpoint("GET", "/api/v1/devices/{device_id}/print-jobs", CONFIGURE, 200, prepare=kiosk_device),
    Endpoint("GET", "/api/v1/announcements/chime.wav", PUBLIC, 200),
    Endpoint(
        "GET",
        "/api/v1/announcements/{lang}/{code}/{counter}.wav",
        PUBLIC,
        200,
        prepare=lambda w: {"lang": "en", "code": called_code(w), "counter": "1"},
    ),
    # the kiosk's spoken guidance: the kiosk itself, and its managers to hear what it says
    Endpoint(
        "POST",
        "/api/v1/branches/{branch}/speech",
        HEAR,
        200,
        {"lang": "en", "phrases": [{"say": "screen", "screen": "home"}]},
    ),
    Endpoint("GET", "/api/v1/speech/clips/{name}", HEAR, 200, prepare=speech_clip, scoped=False),
    # every branch the caller may see, side by side (branch two's manager sees only two)
    Endpoint("GET", "/api/v1/branches/overview", CONFIGURE, 200, scoped=False),
    # admin: branches
    Endpoint(
        "POST",
        A + "/branches",
        ADMIN,
        201,
        {"code": "new", "name": "New", "timezone": "Europe/Warsaw"},
        scoped=False,
    ),
    Endpoint("GET", A + "/branches", CONFIGURE, 200, scoped=False),
    Endpoint("GET", B, CONFIGURE, 200),
    Endpoint("PATCH", B, CONFIGURE, 200, {"message": "Welcome"}),
    Endpoint("DELETE", B, ADMIN, 204, prepare=spare_branch),
    Endpoint("POST", B + "/close-day", CONFIGURE, 200),
    # a branch's logo: set by who configures the branch (the image itself as the body, see
    # _call), read by anyone (an <img> on a kiosk or display sends no token)
    Endpoint("PUT", B + "/logo", CONFIGURE, 200, logo_image()),
    Endpoint("DELETE", B + "/logo", CONFIGURE, 204, prepare=with_logo),
    Endpoint("GET", "/api/v1/branches/{branch}/logo", PUBLIC, 200, prepare=with_logo),
    # admin: services
    Endpoint("POST", B + "/services", CONFIGURE, 201, {"code": "D", "names": {"en": "Deposits"}}),
    Endpoint("GET", B + "/services", CONFIGURE, 200),
    Endpoint("GET", B + "/services/{code}", CONFIGURE, 200, prepare=lambda w: {"code": "A"}),
    Endpoint(
        "PATCH",
        B + "/services/{code}",
        CONFIGURE,
        200,
        {"standard_wait_s": 900},
        prepare=lambda w: {"code": "A"},
    ),
    Endpoint("DELETE", B + "/services/{code}", CONFIGURE, 204, prepare=spare_service),
    # admin: counters
    Endpoint("POST", B + "/counters", CONFIGURE, 201, {"label": "9", "services": ["A"]}),
    Endpoint("GET", B + "/counters", CONFIGURE, 200),
    Endpoint("GET", B + "/counters/{counter_id}", CONFIGURE, 200, prepare=spare_counter),
    Endpoint(
        "PATCH",
        B + "/counters/{counter_id}",
        CONFIGURE,
        200,
        {"services": ["C", "A"]},
        prepare=spare_counter,
    ),
    Endpoint("DELETE", B + "/counters/{counter_id}", CONFIGURE, 204, prepare=spare_counter),
    # admin: users (a manager manages the tellers of their own branch only)
    Endpoint(
        "POST",
        A + "/users",
        CONFIGURE,
        201,
        {"username": "new-teller", "password": "long enough pw", "role": "teller", "branch": OWN},
        label="(teller of branch one)",
    ),
    Endpoint(
        "POST",
        A + "/users",
        ADMIN,
        201,
        {"username": "new-manager", "password": "long enough pw", "role": "manager", "branch": OWN},
        label="(manager of branch one)",
        rule=CONFIGURE,
    ),
    Endpoint("GET", A + "/users", CONFIGURE, 200, scoped=False),
    Endpoint("GET", A + "/users/{user_id}", CONFIGURE, 200, prepare=a_teller, label="(a teller)"),
    Endpoint("POST", A + "/users/{user_id}/sign-out", CONFIGURE, 204, prepare=a_teller),
    Endpoint(
        "GET",
        A + "/users/{user_id}",
        ADMIN,
        200,
        prepare=the_manager,
        label="(the manager)",
        rule=CONFIGURE,
    ),
    Endpoint(
        "PATCH",
        A + "/users/{user_id}",
        CONFIGURE,
        200,
        {"full_name": "Ayşe"},
        prepare=a_teller,
        label="(a teller)",
    ),
    Endpoint(
        "PATCH",
        A + "/users/{user_id}",
        ADMIN,
        200,
        {"full_name": "Boss"},
        prepare=the_manager,
        label="(the manager)",
        rule=CONFIGURE,
    ),
    Endpoint(
        "DELETE", A + "/users/{user_id}", CONFIGURE, 204, prepare=a_teller, label="(a teller)"
    ),
    # the extra branches a (regional) manager oversees
    Endpoint("GET", A + "/users/{user_id}/branches", ADMIN, 200, prepare=the_manager),
    Endpoint(
        "PUT",
        A + "/users/{user_id}/branches",
        ADMIN,
        200,
        {"branches": [OTHER]},
        prepare=the_manager,
    ),
    # admin: devices
    Endpoint(
        "POST", A + "/devices", CONFIGURE, 201, {"branch": OWN, "kind": "kiosk", "name": "door"}
    ),
    Endpoint("GET", A + "/devices", CONFIGURE, 200, scoped=False),
    Endpoint("GET", A + "/devices/{device_id}", CONFIGURE, 200, prepare=spare_device),
    Endpoint(
        "PATCH",
        A + "/devices/{device_id}",
        CONFIGURE,
        200,
        {"name": "hall 2"},
        prepare=spare_device,
    ),
    Endpoint(
        "PATCH",
        A + "/devices/{device_id}",
        CONFIGURE,
        200,
        {"branch": OWN},
        prepare=spare_device,
        label="move",
    ),
    Endpoint("DELETE", A + "/devices/{device_id}", CONFIGURE, 204, prepare=spare_device),
    Endpoint("POST", A + "/devices/{device_id}/test-print", ADMIN, 200, prepare=printer_device),
]


# --- 1. the declared contract ----------------------------------------------------------------


# The sockets, beside the HTTP table: who may open each (the first message may sign in).
SOCKETS: dict[tuple[str, str], frozenset[str] | None] = {
    ("WS", "/api/v1/branches/{branch}/events"): READ_QUEUE,
    ("WS", "/api/v1/agent"): frozenset({"kiosk", "display", "speaker", "agent"}),
}


def _declared_routes() -> dict[tuple[str, str], Any]:
    """Every HTTP route by (method, path) and every WebSocket route by ("WS", path)."""
    app = create_app()
    routes: dict[tuple[str, str], Any] = {}
    for rc in iter_route_contexts(app.routes):
        route = rc.original_route
        if isinstance(route, APIRoute):
            for method in rc.methods or ():
                if method != "HEAD":
                    routes[(method, rc.path)] = route
        elif isinstance(route, APIWebSocketRoute):
            routes[("WS", rc.path)] = route
    return routes


def _names(roles: frozenset[Role] | None) -> frozenset[str] | None:
    return None if roles is None else frozenset(r.value for r in roles)


def test_every_route_declares_one_rule() -> None:
    routes = _declared_routes()
    assert len(routes) > 60  # the walk really found the routers' routes
    undeclared = sorted(f"{m} {p}" for (m, p), r in routes.items() if len(route_access(r)) != 1)
    assert undeclared == [], "routes without exactly one access rule (server.deps.needs)"


def test_declared_rules_match_the_table() -> None:
    routes = _declared_routes()
    table: dict[tuple[str, str], frozenset[str] | None] = dict(SOCKETS)
    for ep in ENDPOINTS:
        table.setdefault((ep.method, ep.path), ep.declared)
        assert table[(ep.method, ep.path)] == ep.declared, f"{ep.id}: two rules in the table"
    assert set(routes) - set(table) == set(), "routes missing from the table"
    assert set(table) - set(routes) == set(), "the table lists routes the app does not have"
    wrong = {
        f"{m} {p}": (_names(route_access(routes[(m, p)])[0].roles), want)
        for (m, p), want in table.items()
        if _names(route_access(routes[(m, p)])[0].roles) != want
    }
    assert wrong == {}, "declared rule (left) differs from the table (right)"


# --- 2. what each rule set means, on one route each ----------------------------------------


def expected_status(ep: Endpoint, branch: str, role: str) -> int:
    if ep.allowed is None:
        return ep.ok
    if role == "anonymous":
        return 401
    if ep.declared is not None and role not in ep.declared:
        return 403  # refused by the route's rule, before anything is looked up
    if branch == OTHER and ep.scoped:
        return 404  # another branch's rows are answered as rows that do not exist
    if role not in ep.allowed:
        return 403  # admitted by the route, refused by the service's finer rule
    return ep.ok


def _representatives() -> list[Endpoint]:
    """One endpoint per declared rule set (the first the table lists)."""
    seen: dict[frozenset[str] | None, Endpoint] = {}
    for ep in ENDPOINTS:
        if ep.declared is not None and ep.scoped and ep.allowed == ep.declared:
            seen.setdefault(ep.declared, ep)
    return list(seen.values())


RULE_CASES = [
    pytest.param(
        ep,
        branch,
        role,
        expected_status(ep, branch, role),
        id=f"{ep.id} as {role if branch == '-' else branch + '-' + role}",
    )
    for ep in _representatives()
    for branch, role in CALLERS
]


def _least_privileged(ep: Endpoint) -> str:
    if ep.allowed is None:
        return "anonymous"
    return next(r for r in PRIVILEGE if r in ep.allowed)


# --- 3. every endpoint, for its least privileged caller here and in another branch --------

SAMPLE_CASES = [
    pytest.param(
        ep,
        branch,
        role,
        expected_status(ep, branch, role),
        id=f"{ep.id} as {role if branch == '-' else branch + '-' + role}",
    )
    for ep in ENDPOINTS
    for role in [_least_privileged(ep)]
    for branch in (["-"] if role in ("anonymous", "admin") else [OWN, OTHER])
] + [
    # the service's finer rule: a role the route admits, refused for this target
    pytest.param(ep, OWN, role, 403, id=f"{ep.id} as {OWN}-{role}")
    for ep in ENDPOINTS
    if ep.declared is not None and ep.allowed != ep.declared
    for role in sorted(ep.declared - ep.allowed - {"admin"})
]


@pytest.fixture
def world(client: TestClient, make: Any) -> World:
    return World(
        client=client,
        one=make(make_branch, code=OWN),
        two=make(make_branch, code=OTHER, tellers=1),
        admin=make(admin_token),
    )


def _call(world: World, ep: Endpoint, branch: str, role: str) -> Any:
    values = {"branch": OWN, **ep.prepare(world)}
    path = ep.path.format(**values)
    body = ep.body(values) if callable(ep.body) else ep.body
    headers = world.headers(branch, role)
    if isinstance(body, bytes):  # an image upload: the file itself is the body
        return world.client.request(
            ep.method, path, content=body, headers={**headers, "Content-Type": "image/png"}
        )
    return world.client.request(ep.method, path, json=body, headers=headers, follow_redirects=False)


@pytest.mark.parametrize(("ep", "branch", "role", "expected"), RULE_CASES)
def test_rule_answers_each_caller(
    world: World, ep: Endpoint, branch: str, role: str, expected: int
) -> None:
    r = _call(world, ep, branch, role)
    assert r.status_code == expected, f"{ep.id} as {branch}/{role}: {r.status_code} {r.text}"
    if expected >= 400:
        assert isinstance(r.json()["detail"], str)
        assert r.json()["detail"]


@pytest.mark.parametrize(("ep", "branch", "role", "expected"), SAMPLE_CASES)
def test_endpoint_sample(world: World, ep: Endpoint, branch: str, role: str, expected: int) -> None:
    r = _call(world, ep, branch, role)
    assert r.status_code == expected, f"{ep.id} as {branch}/{role}: {r.status_code} {r.text}"
    if expected == 404:
        # Word for word what a missing row gets: nothing tells that it exists elsewhere.
        assert r.json()["detail"].startswith(("there is no ", "branch ")), r.text


# --- refusals leave nothing behind -------------------------------------------------------------


def test_refused_kiosk_call_changes_nothing(world: World) -> None:
    """A kiosk may issue but not call: the ticket it issued stays waiting."""
    kiosk = world.one.auth("kiosk")
    t = world.client.post(f"/api/v1/branches/{OWN}/tickets", json={"service": "A"}, headers=kiosk)
    assert t.status_code == 201, t.text
    open_counter(world)
    r = world.client.post(f"/api/v1/counters/{counter1(world)}/call-next", headers=kiosk)
    assert r.status_code == 403
    assert "kiosk" in r.json()["detail"]
    state = world.admin_call("GET", f"/api/v1/tickets/{t.json()['id']}")
    assert state["ticket"]["status"] == "waiting"


def test_teller_of_another_branch_cannot_touch_ticket(world: World) -> None:
    values = called_ticket(world)
    r = world.client.post(
        f"/api/v1/tickets/{values['ticket_id']}/finish", headers=world.two.auth("teller1")
    )
    assert r.status_code == 404
    assert r.json()["detail"] == f"there is no ticket {values['ticket_id']}"
    state = world.admin_call("GET", f"/api/v1/tickets/{values['ticket_id']}")
    assert state["ticket"]["status"] == "called"


def test_manager_cannot_promote_a_teller(world: World) -> None:
    uid = world.one.user_ids["teller2"]
    r = world.client.patch(
        f"/api/v1/admin/users/{uid}", json={"role": "manager"}, headers=world.one.auth("manager")
    )
    assert r.status_code == 403
    assert world.admin_call("GET", f"/api/v1/admin/users/{uid}")["role"] == "teller"


def test_manager_cannot_create_teller_for_another_branch(world: World) -> None:
    body = {"username": "sneaky", "password": "long enough pw", "role": "teller", "branch": OTHER}
    r = world.client.post("/api/v1/admin/users", json=body, headers=world.one.auth("manager"))
    assert r.status_code == 404
    assert "sneaky" not in {u["username"] for u in world.admin_call("GET", "/api/v1/admin/users")}


def test_manager_lists_only_own_branch(world: World) -> None:
    mgr = world.one.auth("manager")
    branches = world.client.get("/api/v1/admin/branches", headers=mgr).json()
    assert [b["code"] for b in branches] == [OWN]
    users = world.client.get("/api/v1/admin/users", headers=mgr).json()
    assert users
    assert {u["branch"] for u in users} == {OWN}
    devices = world.client.get("/api/v1/admin/devices", headers=mgr).json()
    assert devices
    assert {d["branch"] for d in devices} == {OWN}
    all_branches = world.admin_call("GET", "/api/v1/admin/branches")
    assert {b["code"] for b in all_branches} == {OWN, OTHER}


# --- login and tokens ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "role"),
    [("root", "admin"), (f"{OWN}-manager", "manager"), (f"{OWN}-teller3", "teller")],
)
def test_login_right_password(world: World, username: str, role: str) -> None:
    r = world.client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer"
    assert body["role"] == role
    assert isinstance(body["access_token"], str)
    assert body["access_token"]
    me = world.client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["role"] == role
    assert me.json()["name"] == username


@pytest.mark.parametrize(
    ("username", "password"),
    [
        (f"{OWN}-manager", "wrong password"),
        (f"{OWN}-manager", PASSWORD.upper()),
        ("nobody-here", PASSWORD),
    ],
)
def test_login_wrong_credentials(world: World, username: str, password: str) -> None:
    r = world.client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 401
    assert "wrong username or password" in r.json()["detail"]
    assert "access_token" not in r.json()


def _expiring_token(session: Any, *, user_id: int, now: Any, ttl_s: int) -> str:
    return staff_token(session, session.get(User, user_id), now=now, ttl_s=ttl_s)


def test_expired_session_token(world: World, make: Any, clock: Any) -> None:
    token = make(_expiring_token, user_id=world.one.user_ids["teller1"], ttl_s=60)
    headers = {"Authorization": f"Bearer {token}"}
    assert world.client.get("/api/v1/auth/me", headers=headers).status_code == 200
    clock.advance(59)
    assert world.client.get("/api/v1/auth/me", headers=headers).status_code == 200
    clock.advance(2)
    r = world.client.get("/api/v1/auth/me", headers=headers)
    assert r.status_code == 401
    assert "expired" in r.json()["detail"]
    r = world.client.post(f"/api/v1/counters/{counter1(world)}/open", headers=headers)
    assert r.status_code == 401


def test_login_session_expires_after_ttl(world: World, clock: Any, app: Any) -> None:
    r = world.client.post(
        "/api/v1/auth/login", json={"username": f"{OWN}-teller1", "password": PASSWORD}
    )
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    ttl = app.state.ctx.settings.session_ttl_s
    assert r.json()["expires_in"] == ttl
    clock.advance(ttl - 1)
    assert world.client.get("/api/v1/auth/me", headers=headers).status_code == 200
    clock.advance(2)
    assert world.client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_logout_revokes_session(world: World) -> None:
    r = world.client.post(
        "/api/v1/auth/login", json={"username": f"{OWN}-teller1", "password": PASSWORD}
    )
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert world.client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert world.client.get("/api/v1/auth/me", headers=headers).status_code == 401


def _device_id(w: World, kit: BranchKit, kind: str) -> int:
    devices = w.admin_call("GET", "/api/v1/admin/devices")
    return next(d["id"] for d in devices if d["branch"] == kit.code and d["kind"] == kind)


@pytest.mark.parametrize("how", ["delete", "patch"])
def test_deactivated_device_token(world: World, how: str) -> None:
    kiosk = world.one.auth("kiosk")
    path = f"/api/v1/branches/{OWN}/services"
    assert world.client.get(path, headers=kiosk).status_code == 200
    device_id = _device_id(world, world.one, "kiosk")
    if how == "delete":
        world.admin_call("DELETE", f"/api/v1/admin/devices/{device_id}", expect=204)
    else:
        world.admin_call("PATCH", f"/api/v1/admin/devices/{device_id}", {"active": False})
    r = world.client.get(path, headers=kiosk)
    assert r.status_code == 401
    assert "revoked" in r.json()["detail"]
    r = world.client.post(f"/api/v1/branches/{OWN}/tickets", json={"service": "A"}, headers=kiosk)
    assert r.status_code == 401
    # the other kiosk of the other branch is untouched
    assert (
        world.client.get(
            f"/api/v1/branches/{OTHER}/services", headers=world.two.auth("kiosk")
        ).status_code
        == 200
    )


def test_deactivated_user_token(world: World) -> None:
    headers = world.one.auth("teller2")
    assert world.client.get("/api/v1/auth/me", headers=headers).status_code == 200
    world.admin_call("DELETE", f"/api/v1/admin/users/{world.one.user_ids['teller2']}", expect=204)
    assert world.client.get("/api/v1/auth/me", headers=headers).status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer sst_not-a-real-session-token",
        "Bearer sdt_not-a-real-device-token",
        "Bearer garbage",
        "Basic dXNlcjpwYXNz",
        "Bearer ",
    ],
)
def test_bad_authorization_header(world: World, header: str) -> None:
    r = world.client.get(f"/api/v1/branches/{OWN}/services", headers={"Authorization": header})
    assert r.status_code == 401
    assert isinstance(r.json()["detail"], str)
    assert r.json()["detail"]


# --- a manager of several branches -----------------------------------------------------------


def _regional(world: World) -> dict[str, str]:
    """Branch one's manager, given branch two as well by the admin."""
    uid = world.one.user_ids["manager"]
    got = world.admin_call("PUT", f"/api/v1/admin/users/{uid}/branches", {"branches": [OTHER]})
    assert got == {"branch": OWN, "branches": [OTHER]}
    return world.one.auth("manager")


def test_regional_manager_sees_both_branches_and_no_third(world: World) -> None:
    world.admin_call("POST", "/api/v1/admin/branches", {"code": "three", "name": "3"}, expect=201)
    mgr = _regional(world)
    for code in (OWN, OTHER):
        for path in ("metrics/live", "snapshot", "alerts"):
            r = world.client.get(f"/api/v1/branches/{code}/{path}", headers=mgr)
            assert r.status_code == 200, (code, path, r.text)
        r = world.client.get(f"/api/v1/admin/branches/{code}/counters", headers=mgr)
        assert r.status_code == 200
    for path in ("metrics/live", "snapshot"):
        r = world.client.get(f"/api/v1/branches/three/{path}", headers=mgr)
        assert r.status_code == 404
        assert r.json()["detail"] == "there is no branch 'three'"
    overview = world.client.get("/api/v1/branches/overview", headers=mgr).json()
    assert [b["branch"] for b in overview["branches"]] == [OWN, OTHER]
    assert {"waiting_total", "longest_wait_s", "counters_open", "served_today"} <= set(
        overview["branches"][0]
    )
    listed = world.client.get("/api/v1/admin/branches", headers=mgr).json()
    assert [b["code"] for b in listed] == [OWN, OTHER]
    devices = world.client.get("/api/v1/admin/devices", headers=mgr).json()
    assert {d["branch"] for d in devices} == {OWN, OTHER}
    r = world.client.get("/api/v1/branches/overview?branches=three", headers=mgr)
    assert r.status_code == 404
    r = world.client.get(f"/api/v1/branches/overview?branches={OTHER}", headers=mgr)
    assert [b["branch"] for b in r.json()["branches"]] == [OTHER]
    everything = world.admin_call("GET", "/api/v1/branches/overview")
    assert [b["branch"] for b in everything["branches"]] == [OWN, "three", OTHER]
    me = world.client.get("/api/v1/auth/me", headers=mgr).json()
    assert (me["branch"], me["branches"]) == (OWN, sorted([OWN, OTHER]))
    assert world.admin_call("GET", "/api/v1/auth/me")["branches"] is None


def test_regional_access_stays_with_the_manager(world: World) -> None:
    """Branch two's own staff and devices still see only branch two; one's teller only one."""
    _regional(world)
    issue(world)
    two_manager = world.two.auth("manager")
    r = world.client.get("/api/v1/branches/overview", headers=two_manager)
    assert [b["branch"] for b in r.json()["branches"]] == [OTHER]
    for who in ("manager", "teller1", "display", "kiosk"):
        r = world.client.get(f"/api/v1/branches/{OWN}/snapshot", headers=world.two.auth(who))
        assert r.status_code == 404, who
    r = world.client.get(f"/api/v1/branches/{OTHER}/snapshot", headers=world.one.auth("teller1"))
    assert r.status_code == 404
    r = world.client.get("/api/v1/branches/overview", headers=world.one.auth("teller1"))
    assert r.status_code == 403
    # Branch two's overview figures never count branch one's ticket.
    two = world.client.get("/api/v1/branches/overview", headers=two_manager).json()
    assert two["branches"][0]["waiting_total"] == 0


def test_regional_manager_acts_on_the_extra_branch_and_loses_it_when_removed(world: World) -> None:
    mgr = _regional(world)
    counter = world.two.counters["1"]
    assert world.client.post(f"/api/v1/counters/{counter}/open", headers=mgr).status_code == 200
    body = {"username": "two-new", "password": "long enough pw", "role": "teller", "branch": OTHER}
    assert world.client.post("/api/v1/admin/users", json=body, headers=mgr).status_code == 201
    uid = world.one.user_ids["manager"]
    assert world.admin_call("PUT", f"/api/v1/admin/users/{uid}/branches", {"branches": []}) == {
        "branch": OWN,
        "branches": [],
    }
    assert world.client.post(f"/api/v1/counters/{counter}/close", headers=mgr).status_code == 404
    overview = world.client.get("/api/v1/branches/overview", headers=mgr).json()
    assert [b["branch"] for b in overview["branches"]] == [OWN]


def test_only_managers_get_extra_branches(world: World) -> None:
    uid = world.one.user_ids["teller1"]
    r = world.client.put(
        f"/api/v1/admin/users/{uid}/branches",
        json={"branches": [OTHER]},
        headers={"Authorization": f"Bearer {world.admin}"},
    )
    assert r.status_code == 422
    r = world.client.get(f"/api/v1/branches/{OTHER}/snapshot", headers=world.one.auth("teller1"))
    assert r.status_code == 404
    uid = world.one.user_ids["manager"]
    r = world.client.put(
        f"/api/v1/admin/users/{uid}/branches",
        json={"branches": ["nowhere"]},
        headers={"Authorization": f"Bearer {world.admin}"},
    )
    assert r.status_code == 404
