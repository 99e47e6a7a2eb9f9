"""`sira branch|service|counter|device|user list|set|remove`: configuration without curl, on
a real database, with the admin API's rows, rules and audit trail."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import Result
from sqlmodel import select
from typer.testing import CliRunner

from server.admin import service as admin
from server.auth.principal import Principal, Role
from server.branches.lookup import list_services
from server.db import Database
from server.models import AuditEntry, Branch, Counter, Device, Service

ADMIN = Principal(role=Role.ADMIN, branch_id=None)


@pytest.fixture
def env(db_url: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    # The CLI reads its settings from the environment, as in production.
    monkeypatch.setenv("SIRA_DATABASE_URL", db_url)
    monkeypatch.setenv("SIRA_DATA_DIR", str(tmp_path / "data"))
    return db_url


@pytest.fixture
def demo(env: str) -> str:
    """The demo branch: services A, B, C; counters 1-4; a kiosk and a display; admin
    ``admin``, ``manager`` and ``teller1``..``teller4``. Returns the init output."""
    result = run("init", "--demo")
    assert result.exit_code == 0, result.output
    return result.output


def run(*args: str, stdin: str | None = None) -> Result:
    from server.cli import app

    return CliRunner().invoke(app, list(args), input=stdin)


def ok(*args: str, stdin: str | None = None) -> str:
    result = run(*args, stdin=stdin)
    assert result.exit_code == 0, result.output
    return result.output


def listed(*args: str) -> list[dict[str, Any]]:
    rows = json.loads(ok(*args, "--json"))
    assert isinstance(rows, list)
    return rows


def by(rows: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {r[key]: r for r in rows}


# --- list ----------------------------------------------------------------------------------


def test_list_json_is_the_admin_apis_rows(env: str, demo: str) -> None:
    db = Database(env)
    with db.read_session() as s:
        branch = s.exec(select(Branch)).one()
        branches = [admin.branch_public(b).model_dump(mode="json") for b in [branch]]
        services = [
            admin.service_public(x).model_dump(mode="json")
            for x in list_services(s, branch.id)  # type: ignore[arg-type]
        ]
        users = [u.model_dump(mode="json") for u in admin.list_users(s, ADMIN)]
        devices = [d.model_dump(mode="json") for d in admin.list_devices(s, ADMIN)]
    db.dispose()
    assert listed("branch", "list") == branches
    assert listed("service", "list", "demo") == services
    assert listed("user", "list") == users
    assert listed("device", "list") == devices
    counters = listed("counter", "list", "demo")
    assert [(c["label"], c["services"], c["state"]) for c in counters] == [
        ("1", ["A", "B"], "closed"),
        ("2", ["A", "B"], "closed"),
        ("3", ["B", "A"], "closed"),
        ("4", ["C", "B"], "closed"),
    ]


def test_devices_are_listed_without_their_tokens(demo: str) -> None:
    tokens = [
        line.split("device token ")[1] for line in demo.splitlines() if "device token" in line
    ]
    assert len(tokens) == 2
    for output in (ok("device", "list"), ok("device", "list", "--json")):
        assert "Entrance kiosk" in output
        assert not any(token in output for token in tokens)
    assert all("token" not in row for row in listed("device", "list"))


def test_list_prints_an_aligned_table(demo: str) -> None:
    header, *rows = ok("user", "list").splitlines()
    assert header.split() == ["USERNAME", "ROLE", "BRANCH", "FULL", "NAME", "STATE"]
    assert len(rows) == 6
    teller = next(r for r in rows if r.startswith("teller1 "))
    for column, value in (("ROLE", "teller"), ("BRANCH", "demo"), ("STATE", "active")):
        assert f"{teller} "[header.index(column) :].startswith(f"{value} ")
    admin_row = next(r for r in rows if r.startswith("admin "))
    assert admin_row[header.index("BRANCH") :].startswith("- ")  # an admin has no branch

    header, *rows = ok("counter", "list", "demo").splitlines()
    assert [r.split()[1:3] for r in rows] == [
        ["1", "A,B"],
        ["2", "A,B"],
        ["3", "B,A"],
        ["4", "C,B"],
    ]
    header, row = ok("branch", "list").splitlines()
    assert row[header.index("TIMEZONE") :].startswith("Europe/Istanbul ")


def test_list_of_an_unknown_branch_is_an_error(demo: str) -> None:
    for args in (("service", "list", "nowhere"), ("device", "list", "--branch", "nowhere")):
        result = run(*args)
        assert result.exit_code == 1
        assert "there is no branch 'nowhere'" in result.output


# --- set -----------------------------------------------------------------------------------


def test_set_changes_only_what_was_given(demo: str) -> None:
    before = listed("branch", "list")[0]
    args = ["--name", "Kadıköy", "--closed", "--max-wait-s", "900", "--priority-mode", "strict"]
    out = ok("branch", "set", "demo", *args)
    assert "updated branch demo" in out
    after = listed("branch", "list")[0]
    assert (after["name"], after["is_open"], after["max_wait_s"], after["priority_mode"]) == (
        "Kadıköy",
        False,
        900,
        "strict",
    )
    untouched = {"timezone", "languages", "default_lang", "message", "order_mode"}
    assert {k: after[k] for k in untouched} == {k: before[k] for k in untouched}
    assert after["version"] == before["version"] + 1

    ok("branch", "set", "demo", "--max-wait-s", "none", "--open")
    after = listed("branch", "list")[0]
    assert (after["max_wait_s"], after["is_open"], after["name"]) == (None, True, "Kadıköy")


def test_set_service_counter_device_and_user(demo: str) -> None:
    ok("service", "set", "demo", "A", "--name", "tr=Kasa", "--standard-wait-s", "480")
    a = by(listed("service", "list", "demo"), "code")["A"]
    # A name is set per language; the other languages keep theirs.
    assert a["names"]["tr"] == "Kasa"
    assert a["names"]["en"] == "Cash and deposits"
    assert (a["standard_wait_s"], a["active"]) == (480, True)
    ok("service", "set", "demo", "A", "--inactive", "--sort-order", "5")
    a = by(listed("service", "list", "demo"), "code")["A"]
    assert (a["active"], a["sort_order"], a["standard_wait_s"]) == (False, 5, 480)

    ok("counter", "set", "demo", "4", "--label", "4B", "--services", "C")
    assert by(listed("counter", "list", "demo"), "label")["4B"]["services"] == ["C"]

    kiosk = by(listed("device", "list"), "kind")["kiosk"]
    ok("device", "set", str(kiosk["id"]), "--name", "Door", "--revoked")
    kiosk = by(listed("device", "list"), "id")[kiosk["id"]]
    assert (kiosk["name"], kiosk["active"]) == ("Door", False)
    ok("device", "set", str(kiosk["id"]), "--active")
    assert by(listed("device", "list"), "id")[kiosk["id"]]["active"] is True

    ok("user", "set", "teller1", "--full-name", "Ayşe Demir", "--role", "manager", "--disabled")
    teller = by(listed("user", "list", "--branch", "demo"), "username")["teller1"]
    assert (teller["full_name"], teller["role"], teller["active"]) == (
        "Ayşe Demir",
        "manager",
        False,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("branch", "set", "demo", "--priority-ratio", "50"), "priority_ratio: "),
        (("branch", "set", "demo", "--order-mode", "random"), "order_mode: "),
        (("branch", "set", "demo", "--max-wait-s", "soon"), "max_wait_s: "),
        (("branch", "set", "demo", "--timezone", "Mars/Base"), "timezone: "),
        (("branch", "set", "demo", "--languages", "en,xx"), "languages.1: "),
        (("service", "set", "demo", "A", "--standard-wait-s", "5"), "standard_wait_s: "),
        (("service", "set", "demo", "A", "--name", "xx=Cash"), "names."),
        (("service", "set", "demo", "A", "--name", "Cash"), "lang=text"),
        (("counter", "set", "demo", "1", "--services", ""), "services: "),
        (("device", "set", "1", "--name", ""), "name: "),
        (("user", "set", "teller1", "--role", "chief"), "role: "),
        (("branch", "set", "demo"), "nothing to change"),
    ],
)
def test_set_refuses_invalid_input_by_field_with_exit_2(
    env: str, demo: str, args: tuple[str, ...], message: str
) -> None:
    before = listed("branch", "list"), listed("service", "list", "demo")
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert (listed("branch", "list"), listed("service", "list", "demo")) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("branch", "set", "nowhere", "--name", "x"), "there is no branch 'nowhere'"),
        (("service", "set", "demo", "Z", "--sort-order", "1"), "branch demo has no service 'Z'"),
        (("counter", "set", "demo", "9", "--label", "x"), "branch demo has no counter '9'"),
        (("counter", "set", "demo", "1", "--services", "A,Z"), "branch demo has no service Z"),
        (("counter", "set", "demo", "1", "--label", "2"), "already has counter 2"),
        (("branch", "set", "demo", "--default-lang", "el", "--languages", "en,tr"), "el"),
        (("device", "set", "99", "--name", "x"), "there is no device 99"),
        (("user", "set", "ghost", "--full-name", "x"), "there is no user 'ghost'"),
    ],
)
def test_set_refused_by_the_rules_exits_1_and_changes_nothing(
    demo: str, args: tuple[str, ...], message: str
) -> None:
    before = [listed(*a) for a in (("branch", "list"), ("counter", "list", "demo"))]
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert [listed(*a) for a in (("branch", "list"), ("counter", "list", "demo"))] == before


def test_the_last_active_administrator_stays_one(env: str) -> None:
    ok("init")
    ok("user", "add", "root", "--role", "admin", "--password-stdin", stdin="a long secret\n")
    for args in (("--role", "manager"), ("--disabled",)):
        result = run("user", "set", "root", *args)
        assert result.exit_code == 1
        assert "root is the last active administrator" in result.output
    result = run("user", "remove", "root", "--yes")
    assert result.exit_code == 1
    assert "last active administrator" in result.output
    root = by(listed("user", "list"), "username")["root"]
    assert (root["role"], root["active"]) == ("admin", True)
    # With a second administrator, root may step down (a manager needs a branch: root has
    # none, so that is refused for that reason alone).
    ok("user", "add", "boss", "--role", "admin", "--password-stdin", stdin="another secret\n")
    result = run("user", "set", "root", "--role", "manager")
    assert result.exit_code == 1
    assert "belongs to no branch" in result.output
    ok("user", "set", "root", "--disabled")
    assert by(listed("user", "list"), "username")["root"]["active"] is False


# --- remove --------------------------------------------------------------------------------


def test_remove_with_yes(env: str, demo: str) -> None:
    # Answered yes at the prompt, or told --yes (-y) beforehand.
    assert "deleted counter 4" in ok("counter", "remove", "demo", "4", stdin="y\n")
    # C was served only by counter 4 and never issued a ticket: deleted outright.
    assert "deleted service C" in ok("service", "remove", "demo", "C", "--yes")
    assert set(by(listed("service", "list", "demo"), "code")) == {"A", "B"}
    assert [c["label"] for c in listed("counter", "list", "demo")] == ["1", "2", "3"]

    kiosk = by(listed("device", "list"), "kind")["kiosk"]
    assert "revoked kiosk" in ok("device", "remove", str(kiosk["id"]), "-y")
    assert by(listed("device", "list"), "id")[kiosk["id"]]["active"] is False  # kept, revoked

    assert "disabled user teller1" in ok("user", "remove", "teller1", "--yes")
    assert by(listed("user", "list"), "username")["teller1"]["active"] is False

    ok("branch", "add", "spare", "--name", "Spare")
    ok("service", "add", "spare", "A", "--name", "en=Cash")
    assert "deleted branch spare" in ok("branch", "remove", "spare", "--yes")
    assert [b["code"] for b in listed("branch", "list")] == ["demo"]
    db = Database(env)
    with db.read_session() as s:
        assert len(s.exec(select(Service)).all()) == 2  # spare's service went with it
    db.dispose()


@pytest.mark.parametrize(
    "args",
    [
        ("branch", "remove", "demo"),
        ("service", "remove", "demo", "C"),
        ("counter", "remove", "demo", "4"),
        ("device", "remove", "1"),
        ("user", "remove", "teller1"),
    ],
)
def test_remove_asks_first_and_no_changes_nothing(
    env: str, demo: str, args: tuple[str, ...]
) -> None:
    def state() -> list[Any]:
        return [
            listed("branch", "list"),
            listed("service", "list", "demo"),
            listed("counter", "list", "demo"),
            listed("device", "list"),
            listed("user", "list"),
        ]

    before = state()
    result = run(*args, stdin="n\n")
    assert result.exit_code == 1
    assert "[y/N]" in result.output
    assert "nothing changed" in result.output
    assert state() == before


def test_history_is_never_deleted(env: str, demo: str) -> None:
    ok("simulate", "--branch", "demo", "--days", "14", "--busy", "0.1")
    result = run("branch", "remove", "demo", "--yes")
    assert result.exit_code == 1
    assert "branch demo has ticket history; close it" in result.output
    result = run("counter", "remove", "demo", "1", "--yes")
    assert result.exit_code == 1
    assert "counter 1 has ticket history" in result.output
    result = run("service", "remove", "demo", "A", "--yes")
    assert result.exit_code == 1
    assert "still served by a counter" in result.output
    for label in ("1", "2", "3"):
        ok("counter", "set", "demo", label, "--services", "B")
    # A service with history is retired, not deleted: it stays in reports.
    assert "retired service A" in ok("service", "remove", "demo", "A", "--yes")
    assert by(listed("service", "list", "demo"), "code")["A"]["active"] is False
    db = Database(env)
    with db.read_session() as s:
        assert s.exec(select(Branch)).one().code == "demo"
        assert len(s.exec(select(Counter)).all()) == 4
        assert len(s.exec(select(Device)).all()) == 2
    db.dispose()


# --- audit ---------------------------------------------------------------------------------


def test_changes_made_from_the_command_line_are_audited_as_cli(env: str, demo: str) -> None:
    ok("branch", "set", "demo", "--message", "Closed on Friday")
    ok("user", "reset-password", "teller2", "--password-stdin", stdin="a brand new secret\n")
    ok("device", "remove", "1", "--yes")
    db = Database(env)
    with db.read_session() as s:
        entries = {e.action: e for e in s.exec(select(AuditEntry))}
    db.dispose()
    changed = entries["branch.updated"]
    assert changed.actor_kind == "cli"
    assert changed.actor.startswith("cli:")
    assert (changed.target, changed.branch) == ("branch demo", "demo")
    assert changed.changes["message"]["after"] == "Closed on Friday"
    for action in ("user.password_reset", "device.revoked", "branch.created", "user.created"):
        assert entries[action].actor_kind == "cli", action
