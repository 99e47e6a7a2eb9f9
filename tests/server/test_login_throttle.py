"""Password guessing is throttled per (client address, username) and per address, never per
account alone: a caller elsewhere cannot lock a teller out, and an unknown username answers
exactly as a wrong password does."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from typer.testing import CliRunner

from server.auth.throttle import LOCKOUT_S, MAX_FAILED_LOGINS, MAX_FAILED_PER_ADDRESS
from server.cli import app as cli
from server.models import StaffSession, User
from server.security import verify_password
from tests.support import PASSWORD, live_server, make_branch

LOGIN = "/api/v1/auth/login"
ATTACKER = "203.0.113.9"
BRANCH_PC = "198.51.100.20"


@pytest.fixture
def teller(make):
    make(make_branch)
    return "demo-teller1"


def login(app, username, password, *, address=BRANCH_PC):
    with TestClient(app, raise_server_exceptions=False, client=(address, 40000)) as c:
        return c.post(LOGIN, json={"username": username, "password": password})


def test_guesses_lock_that_address_out_of_that_account_then_it_opens_again(app, teller, clock):
    for _ in range(MAX_FAILED_LOGINS):
        assert login(app, teller, "guess").status_code == 401
    locked = login(app, teller, PASSWORD)
    assert locked.status_code == 429
    assert locked.json() == {
        "detail": "too many failed logins from this address: try again in 5 minute(s)",
        "code": "too_many_attempts",
    }
    clock.advance(seconds=LOCKOUT_S - 1)
    assert login(app, teller, PASSWORD).status_code == 429
    clock.advance(seconds=2)
    assert login(app, teller, PASSWORD).status_code == 200


def test_an_attacker_elsewhere_cannot_lock_a_teller_out(app, teller):
    for _ in range(MAX_FAILED_LOGINS + 3):
        login(app, teller, "guess", address=ATTACKER)
    assert login(app, teller, PASSWORD, address=ATTACKER).status_code == 429
    assert login(app, teller, PASSWORD, address=BRANCH_PC).status_code == 200


def test_an_unknown_username_answers_as_a_wrong_password_does(app, teller):
    def answers(username):
        out = []
        for _ in range(MAX_FAILED_LOGINS + 2):
            r = login(app, username, "guess", address=ATTACKER)
            out.append((r.status_code, r.json(), r.headers.get("retry-after")))
        return out

    known, unknown = answers(teller), answers("no-such-user")
    assert known == unknown
    assert [status for status, _, _ in known] == [401] * MAX_FAILED_LOGINS + [429] * 2


def test_one_address_guessing_many_usernames_is_throttled_as_a_whole(app, teller):
    for i in range(MAX_FAILED_PER_ADDRESS):
        assert login(app, f"user{i}", "guess", address=ATTACKER).status_code == 401
    assert login(app, teller, PASSWORD, address=ATTACKER).status_code == 429
    assert login(app, teller, PASSWORD, address=BRANCH_PC).status_code == 200


def test_a_good_login_resets_the_count(app, teller):
    for _ in range(MAX_FAILED_LOGINS - 1):
        assert login(app, teller, "guess").status_code == 401
    assert login(app, teller, PASSWORD).status_code == 200
    for _ in range(MAX_FAILED_LOGINS - 1):
        assert login(app, teller, "guess").status_code == 401
    assert login(app, teller, PASSWORD).status_code == 200


def test_a_lock_on_one_account_leaves_others_alone(app, teller):
    for _ in range(MAX_FAILED_LOGINS):
        login(app, teller, "guess")
    assert login(app, "demo-teller2", PASSWORD).status_code == 200
    assert login(app, teller, PASSWORD).status_code == 429


def test_guesses_sent_all_at_once_get_no_more_tries(app, teller):
    """Each try is counted before its password is checked: a burst cannot outrun the count."""
    burst = 3 * MAX_FAILED_LOGINS
    with live_server(app) as url, ThreadPoolExecutor(burst) as pool:
        import httpx

        body = {"username": teller, "password": "guess"}
        statuses = list(
            pool.map(
                lambda _: httpx.post(url + LOGIN, json=body, timeout=120).status_code, range(burst)
            )
        )
    assert sorted(statuses) == [401] * MAX_FAILED_LOGINS + [429] * (burst - MAX_FAILED_LOGINS)


def cli_run(*args, stdin=None):
    return CliRunner().invoke(cli, list(args), input=stdin)


@pytest.fixture
def cli_env(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SIRA_DATABASE_URL", db_url)
    monkeypatch.setenv("SIRA_DATA_DIR", str(tmp_path / "data"))


def test_an_admin_unlocks_an_account_from_the_command_line(app, teller, cli_env):
    for _ in range(MAX_FAILED_LOGINS):
        login(app, teller, "guess")
    assert login(app, teller, PASSWORD).status_code == 429
    result = cli_run("user", "unlock", teller)
    assert result.exit_code == 0, result.output
    assert f"cleared 1 login throttle(s) of {teller}" in result.output
    assert login(app, teller, PASSWORD).status_code == 200


def test_an_admin_unlocks_an_address_from_the_command_line(app, teller, cli_env):
    for i in range(MAX_FAILED_PER_ADDRESS):
        login(app, f"user{i}", "guess")
    assert login(app, teller, PASSWORD).status_code == 429
    result = cli_run("user", "unlock", "--address", BRANCH_PC)
    assert result.exit_code == 0, result.output
    assert login(app, teller, PASSWORD).status_code == 200


def test_unlock_of_an_unknown_user_says_so(cli_env):
    result = cli_run("user", "unlock", "ghost")
    assert result.exit_code == 1
    assert "there is no user 'ghost'" in result.output


def test_reset_password_from_the_command_line(app, teller, cli_env, db, make):
    token = login(app, teller, PASSWORD).json()["access_token"]
    for _ in range(MAX_FAILED_LOGINS):
        login(app, teller, "guess")
    result = cli_run("user", "reset-password", teller, "--password-stdin", stdin="a new secret 9\n")
    assert result.exit_code == 0, result.output
    assert "a new secret" not in result.output
    with db.read_session() as s:
        user = s.exec(select(User).where(User.username == teller)).one()
        assert verify_password("a new secret 9", user.password_hash)
        assert s.exec(select(StaffSession).where(StaffSession.user_id == user.id)).all() == []
    with TestClient(app) as c:
        assert (
            c.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code
            == 401
        )
    assert login(app, teller, "a new secret 9").status_code == 200


def test_reset_password_refuses_a_short_one(teller, cli_env):
    result = cli_run("user", "reset-password", teller, "--password-stdin", stdin="short\n")
    assert result.exit_code == 2
    assert "password" in result.output
