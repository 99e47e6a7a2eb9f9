"""``sira``: init, serve, user (add, unlock, reset-password), close-day, purge; configuration
(branch, service, counter, device, user list|set|remove) is in server/cli_config.py."""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated, Any

import typer

from server import audit
from server.cli_config import (
    branch_app,
    cli_actor,
    counter_app,
    device_app,
    parse,
    run,
    service_app,
    user_app,
    user_list,
    user_remove,
    user_set,
)
from server.config import Settings, public_url_problem

app = typer.Typer(help="Sira queue management", no_args_is_help=True, add_completion=False)
app.add_typer(user_app, name="user")
app.add_typer(branch_app, name="branch")
app.add_typer(service_app, name="service")
app.add_typer(counter_app, name="counter")
app.add_typer(device_app, name="device")


def _settings() -> Settings:
    try:
        return Settings()
    except ValueError as exc:
        typer.echo(f"configuration error: {exc}", err=True)
        raise typer.Exit(2) from exc


def print_credentials(creds: dict[str, Any], public_url: str) -> None:
    from server.main import ROOT, UI_DIRS

    typer.echo(f"\nDemo branch '{creds['branch']}':")
    for username, password in creds["users"].items():
        typer.echo(f"  {username:<9} password {password}")
    for kind, token in creds["devices"].items():
        typer.echo(f"  {kind:<9} device token {token}")
        if (ROOT / UI_DIRS[kind] / "index.html").exists():
            typer.echo(f"            {public_url}/{kind}/#token={token}")
    for page, who in (("teller", "teller1..teller4"), ("manager", "manager or admin")):
        if (ROOT / UI_DIRS[page] / "index.html").exists():
            typer.echo(f"  {page} console: {public_url}/{page}/ (log in as {who})")


@app.command()
def init(demo: Annotated[bool, typer.Option("--demo", help="add the demo branch")] = False) -> None:
    """Create or migrate the database; with --demo add branch 'demo' and print its logins."""
    from server.db import Database
    from server.demo import create_demo
    from server.migrations import upgrade

    settings = _settings()
    upgrade(settings.sqlalchemy_url)
    typer.echo(f"database ready: {_safe_url(settings.sqlalchemy_url)}")
    if not demo:
        return
    db = Database(settings.sqlalchemy_url)
    creds_file = settings.data_dir / "demo-credentials.json"
    with db.unit_of_work() as session:
        session.info[audit.ACTOR] = cli_actor()
        creds = create_demo(session)
    db.dispose()
    if creds is None:
        if creds_file.exists():
            creds = json.loads(creds_file.read_text())
        else:
            typer.echo("demo branch already exists (its credentials were printed when it was made)")
            return
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        creds_file.write_text(json.dumps(creds, indent=2))
        os.chmod(creds_file, 0o600)
    print_credentials(creds, settings.public_url.rstrip("/"))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[
        int, typer.Option(help="worker processes (more than 1: PostgreSQL and SIRA_REDIS_URL)")
    ] = 1,
) -> None:
    """Run the server (embedded SQLite unless SIRA_DATABASE_URL is set)."""
    import uvicorn

    settings = _settings()
    if workers < 1:
        typer.echo("--workers must be at least 1", err=True)
        raise typer.Exit(2)
    if workers > 1:
        problem = _multiworker_problem(settings)
        if problem:
            typer.echo(f"cannot run {workers} workers: {problem}", err=True)
            raise typer.Exit(2)
    database = _safe_url(settings.sqlalchemy_url)
    typer.echo(f"Sira on http://{host}:{port}  (API docs /docs; database {database})")
    problem = public_url_problem(settings.public_url, listen_host=host)
    if problem:
        bar = "!" * 78
        typer.echo(f"{bar}\nWARNING: {problem}\n{bar}", err=True)
    uvicorn.run(
        "server.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        **server_options(settings),
    )


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for Sira (shared with the tests' live server)."""
    return {"ws": "websockets-sansio", "ws_max_size": settings.ws_max_bytes, "proxy_headers": True}


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[str, typer.Option(help="admin | manager | teller")],
    branch: Annotated[str | None, typer.Option(help="branch code (managers and tellers)")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from stdin")
    ] = False,
) -> None:
    """Add a staff account."""
    from sqlmodel import Session

    from server.admin.schemas import UserCreate
    from server.admin.service import create_user
    from server.security import hash_password

    if not password_stdin:
        typer.echo("pass --password-stdin and the password on standard input", err=True)
        raise typer.Exit(2)
    password = sys.stdin.readline().rstrip("\n")
    body = parse(UserCreate, username=username, password=password, role=role, branch=branch)
    # Hashed before the transaction: argon2 holds no database lock.
    digest = hash_password(body.password)

    def work(session: Session) -> str:
        user = create_user(session, password_hash=digest, **body.model_dump(exclude={"password"}))
        return f"added {user.role} {user.username}"

    run(work)


user_app.command("list")(user_list)
user_app.command("set")(user_set)
user_app.command("remove")(user_remove)


@user_app.command("unlock")
def user_unlock(
    username: Annotated[str | None, typer.Argument(help="the account to let in again")] = None,
    address: Annotated[
        str | None, typer.Option(help="clear this client address's failed logins instead")
    ] = None,
) -> None:
    """Clear the login throttles of an account (from every address) or of one address."""
    from sqlmodel import Session

    from server.auth import throttle
    from server.cli_config import get_user

    if (username is None) == (address is None):
        typer.echo("name a USERNAME or pass --address ADDRESS", err=True)
        raise typer.Exit(2)

    def work(session: Session) -> str:
        if username is not None:
            get_user(session, username)
        n = throttle.clear(session, username=username, address=address)
        return f"cleared {n} login throttle(s) of {username or address}"

    run(work)


@user_app.command("reset-password")
def user_reset_password(
    username: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the new password from stdin")
    ] = False,
) -> None:
    """Set a new password (signs the account out everywhere and clears its login throttles)."""
    from sqlmodel import Session

    from server.admin.schemas import UserUpdate
    from server.admin.service import revoke_sessions
    from server.auth import throttle
    from server.cli_config import get_user
    from server.security import hash_password

    if not password_stdin:
        typer.echo("pass --password-stdin and the password on standard input", err=True)
        raise typer.Exit(2)
    body = parse(UserUpdate, password=sys.stdin.readline().rstrip("\n"))
    assert body.password is not None
    # Hashed before the transaction: argon2 holds no database lock.
    digest = hash_password(body.password)

    def work(session: Session) -> str:
        user = get_user(session, username)
        user.password_hash = digest
        session.add(user)
        revoke_sessions(session, user)
        throttle.clear(session, username=username)
        return f"password of {username} reset; their sessions are signed out"

    run(work)


@app.command()
def simulate(
    branch: Annotated[str, typer.Option(help="branch code")],
    days: Annotated[int, typer.Option(min=1, max=3660, help="days of history before today")],
    seed: Annotated[int, typer.Option(help="random seed (same seed, same history)")] = 1,
    busy: Annotated[
        float | None,
        typer.Option(
            min=0.1,
            max=20,
            help="arrival rate multiplier (default: what the branch's counters can serve, "
            "staffed hour by hour with Erlang C)",
        ),
    ] = None,
) -> None:
    """Fill history with generated days played through the real queue rules and estimator
    (arrivals, calls, quotes told, service, no-shows, transfers, feedback)."""
    from server.db import Database
    from server.simulate import simulate as run

    db = Database(_settings().sqlalchemy_url)
    try:
        totals = run(db, branch_code=branch, days=days, seed=seed, busy=busy)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    finally:
        db.dispose()
    typer.echo(
        f"simulated {totals['days']} business day(s): {totals['tickets']} tickets, "
        f"{totals['events']} events, {totals['quotes']} quotes told"
    )


@app.command("close-day")
def close_day() -> None:
    """Cancel tickets left waiting from earlier business days (the server also does this)."""
    from server.main import close_days_once, create_app

    application = create_app(_settings())
    n = close_days_once(application.state.ctx)
    typer.echo(f"cancelled {n} ticket(s) left from earlier days")


def _multiworker_problem(settings: Settings) -> str | None:
    """Why several worker processes would be wrong here, or None."""
    if settings.is_sqlite:
        # One SQLite writer per machine: workers would queue on the file lock, not scale.
        return (
            "several processes need PostgreSQL (set SIRA_DATABASE_URL=postgresql+psycopg://...); "
            "the embedded SQLite database serves one process"
        )
    if not settings.redis_url:
        # Each worker would hear only its own events: displays on another worker miss calls.
        return (
            "several processes need the Redis event bus (set SIRA_REDIS_URL=redis://host:6379/0), "
            "or a display connected to one worker misses calls made on another"
        )
    return None


@app.command()
def purge(
    days: Annotated[
        int | None,
        typer.Option(help="keep this many days (default SIRA_RETENTION_DAYS)", min=1),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="only count")] = False,
    audit_days: Annotated[
        int | None,
        typer.Option(
            help="also delete audit-trail entries older than this many days (kept otherwise)",
            min=30,
        ),
    ] = None,
) -> None:
    """Blank personal and free-text data of tickets older than N days (reports keep figures);
    the audit trail is kept unless --audit-days says otherwise."""
    import datetime as dt

    from server.db import Database
    from server.retention import run_purge

    settings = _settings()
    keep = days if days is not None else settings.retention_days
    if keep is None:
        typer.echo("set --days N or SIRA_RETENTION_DAYS to say how long to keep data", err=True)
        raise typer.Exit(2)
    db = Database(settings.sqlalchemy_url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        result = run_purge(
            db, days=keep, now=dt.datetime.now(dt.UTC), dry_run=dry_run, audit_days=audit_days
        )
    finally:
        db.dispose()
    if dry_run:
        typer.echo(f"{result.tickets} ticket(s) from before {result.cutoff} would be purged")
        return
    typer.echo(
        f"purged {result.tickets} ticket(s) from before {result.cutoff} "
        f"({result.events} event(s) scrubbed, {result.print_jobs} print job(s) deleted, "
        f"{result.sessions} expired session(s) removed"
        + (f", {result.audit_entries} audit entries deleted" if audit_days is not None else "")
        + ")"
    )


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
