"""``sira``: init, serve, user, close-day."""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated, Any

import typer

from server.cli_config import branch_app, counter_app, device_app, service_app
from server.config import Settings

app = typer.Typer(help="Sira queue management", no_args_is_help=True, add_completion=False)
user_app = typer.Typer(help="Staff accounts", no_args_is_help=True)
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
    workers: Annotated[int, typer.Option(help="worker processes (1 until the Redis bus)")] = 1,
) -> None:
    """Run the server (embedded SQLite unless SIRA_DATABASE_URL is set)."""
    import uvicorn

    settings = _settings()
    if workers > 1:
        # Each worker would hear only its own events: displays on another worker miss calls.
        typer.echo(
            "several workers need a shared (Redis) event bus, which this version does not "
            "have yet: run one worker",
            err=True,
        )
        raise typer.Exit(2)
    database = _safe_url(settings.sqlalchemy_url)
    typer.echo(f"Sira on http://{host}:{port}  (API docs /docs; database {database})")
    uvicorn.run(
        "server.asgi:app",
        host=host,
        port=port,
        workers=workers,
        ws="websockets-sansio",
        log_level="info",
        proxy_headers=True,
    )


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
    from pydantic import ValidationError

    from server.admin.schemas import UserCreate
    from server.admin.service import create_user
    from server.db import Database
    from server.domain.errors import DomainError

    if not password_stdin:
        typer.echo("pass --password-stdin and the password on standard input", err=True)
        raise typer.Exit(2)
    password = sys.stdin.readline().rstrip("\n")
    try:
        body = UserCreate(username=username, password=password, role=role, branch=branch)  # type: ignore[arg-type]
    except ValidationError as exc:
        for err in exc.errors():
            typer.echo(f"{'.'.join(map(str, err['loc']))}: {err['msg']}", err=True)
        raise typer.Exit(2) from exc
    db = Database(_settings().sqlalchemy_url)
    try:
        with db.unit_of_work() as session:
            user = create_user(session, **body.model_dump())
            typer.echo(f"added {user.role} {user.username}")
    except DomainError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from exc
    finally:
        db.dispose()


@app.command("close-day")
def close_day() -> None:
    """Cancel tickets left waiting from earlier business days (the server also does this)."""
    from server.main import close_days_once, create_app

    application = create_app(_settings())
    n = close_days_once(application.state.ctx)
    typer.echo(f"cancelled {n} ticket(s) left from earlier days")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
