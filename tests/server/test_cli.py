"""The `sira` command line: init (with the demo), user add, close-day."""

import json

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from server.cli import app
from server.db import Database
from server.models import Branch, Counter, Device, Service, User
from server.security import verify_password


@pytest.fixture
def env(db_url, tmp_path, monkeypatch):
    # The CLI reads its settings from the environment, as in production.
    monkeypatch.setenv("SIRA_DATABASE_URL", db_url)
    monkeypatch.setenv("SIRA_DATA_DIR", str(tmp_path / "data"))
    return db_url


def run(*args, stdin=None):
    return CliRunner().invoke(app, list(args), input=stdin)


def test_init_demo_creates_the_demo_branch_and_prints_logins(env, tmp_path):
    result = run("init", "--demo")
    assert result.exit_code == 0, result.output
    creds = json.loads((tmp_path / "data" / "demo-credentials.json").read_text())
    for username, password in creds["users"].items():
        assert f"{username}" in result.output
        assert password in result.output
    assert creds["devices"]["kiosk"] in result.output

    db = Database(env)
    with db.read_session() as s:
        branch = s.exec(select(Branch).where(Branch.code == "demo")).one()
        assert sorted(
            x.code for x in s.exec(select(Service).where(Service.branch_id == branch.id))
        ) == ["A", "B", "C"]
        assert sorted(c.label for c in s.exec(select(Counter))) == ["1", "2", "3", "4"]
        users = {u.username: u for u in s.exec(select(User))}
        assert set(users) == {"admin", "manager", "teller1", "teller2", "teller3", "teller4"}
        assert users["admin"].role == "admin"
        assert users["teller3"].role == "teller"
        assert verify_password(creds["users"]["teller2"], users["teller2"].password_hash)
        assert sorted(d.kind for d in s.exec(select(Device))) == ["display", "kiosk"]
    db.dispose()


def test_init_demo_twice_keeps_one_demo_and_the_same_logins(env):
    first = run("init", "--demo")
    second = run("init", "--demo")
    assert second.exit_code == 0, second.output
    assert first.output.split("Demo branch", 1)[1] == second.output.split("Demo branch", 1)[1]
    db = Database(env)
    with db.read_session() as s:
        assert len(s.exec(select(Branch)).all()) == 1
    db.dispose()


def test_user_add_reads_the_password_from_stdin(env):
    assert run("init", "--demo").exit_code == 0
    result = run(
        "user",
        "add",
        "ayse",
        "--role",
        "teller",
        "--branch",
        "demo",
        "--password-stdin",
        stdin="a long secret\n",
    )
    assert result.exit_code == 0, result.output
    db = Database(env)
    with db.read_session() as s:
        user = s.exec(select(User).where(User.username == "ayse")).one()
        assert user.role == "teller"
        assert verify_password("a long secret", user.password_hash)
    db.dispose()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["user", "add", "bob", "--role", "teller", "--branch", "nowhere", "--password-stdin"],
            "long enough pw\n",
            "no branch 'nowhere'",
        ),
        (
            ["user", "add", "bob", "--role", "chief", "--branch", "demo", "--password-stdin"],
            "long enough pw\n",
            "role",
        ),
        (
            ["user", "add", "bob", "--role", "teller", "--branch", "demo", "--password-stdin"],
            "short\n",
            "password",
        ),
        (
            ["user", "add", "manager", "--role", "teller", "--branch", "demo", "--password-stdin"],
            "long enough pw\n",
            "taken",
        ),
    ],
)
def test_user_add_refuses_bad_input_with_a_reason(env, args, stdin, message):
    assert run("init", "--demo").exit_code == 0
    result = run(*args, stdin=stdin)
    assert result.exit_code != 0
    assert message in result.output


def test_prod_needs_no_secret_key(env, monkeypatch):
    # Nothing is signed or encrypted with a server secret (tokens are random and stored as
    # SHA-256): SIRA_SECRET_KEY is accepted for old env files and otherwise unused.
    monkeypatch.setenv("SIRA_ENV", "prod")
    monkeypatch.delenv("SIRA_SECRET_KEY", raising=False)
    result = run("init")
    assert result.exit_code == 0, result.output


def test_configure_a_branch_from_the_command_line(env):
    assert run("init").exit_code == 0
    steps = [
        (
            "branch",
            "add",
            "kadikoy",
            "--name",
            "Kadıköy",
            "--timezone",
            "Europe/Istanbul",
            "--languages",
            "tr,en",
        ),
        (
            "service",
            "add",
            "kadikoy",
            "A",
            "--name",
            "tr=Nakit",
            "--name",
            "en=Cash",
            "--standard-wait-s",
            "480",
        ),
        ("counter", "add", "kadikoy", "1", "--services", "A"),
        ("device", "add", "kadikoy", "--kind", "kiosk", "--name", "Giriş"),
    ]
    outputs = []
    for step in steps:
        result = run(*step)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    token = outputs[-1].split("token: ", 1)[1].strip()
    db = Database(env)
    with db.read_session() as s:
        branch = s.exec(select(Branch)).one()
        assert (branch.name, branch.timezone, branch.languages) == (
            "Kadıköy",
            "Europe/Istanbul",
            ["tr", "en"],
        )
        service = s.exec(select(Service)).one()
        assert (service.names, service.standard_wait_s) == ({"tr": "Nakit", "en": "Cash"}, 480)
        assert s.exec(select(Counter)).one().services == ["A"]
        device = s.exec(select(Device)).one()
        assert device.kind == "kiosk"
        assert token not in device.token_hash  # stored hashed, shown once
    db.dispose()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("branch", "add", "Bad Code", "--name", "x"), "code"),
        (("branch", "add", "b2", "--name", "x", "--timezone", "Mars/Base"), "unknown timezone"),
        (("service", "add", "nowhere", "A", "--name", "en=Cash"), "no branch 'nowhere'"),
        (("service", "add", "demo", "A", "--name", "en=Cash"), "already has service A"),
        (("service", "add", "demo", "D", "--name", "Cash"), "lang=text"),
        (("counter", "add", "demo", "9", "--services", "Z"), "no service Z"),
        (("device", "add", "demo", "--kind", "toaster", "--name", "x"), "kind"),
    ],
)
def test_configuration_commands_refuse_bad_input(env, args, message):
    assert run("init", "--demo").exit_code == 0
    result = run(*args)
    assert result.exit_code != 0
    assert message in result.output
